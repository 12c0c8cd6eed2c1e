"""The Flask app: articles API, health check, and JSON errors."""

from __future__ import annotations

import shutil

from app import create_app
from tests.conftest import SEED


def test_articles_api_serves_the_seed(client):
    response = client.get("/api/articles")
    assert response.status_code == 200
    [article] = response.get_json()
    assert article["title"] == "How to Treat Imbalance in Hip Flexor Muscles"
    assert [e["title"] for e in article["exercises"]] == [
        "Lying Hip Stretch",
        "Cobra Stretch",
        "Multidirectional Leg Raises",
    ]
    assert [len(e["steps"]) for e in article["exercises"]] == [4, 4, 5]
    assert article["things_needed"] == ["Table", "Chair"]
    assert article["warnings"][0].startswith("You should not feel any pain")
    assert article["author"].startswith("Lisa Atkinson")
    assert set(article) >= {"title", "slug", "intro", "exercises", "warnings", "things_needed", "author"}


def test_healthz_counts_articles_and_says_where_listening_is(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "articles": 1, "listening": "idle"}


def test_healthz_says_listening_is_off_when_it_is(tmp_path, speaker):
    app = create_app(
        {"TESTING": True, "SPEECH_SERVICE": speaker, "SECRET_FILE": str(tmp_path / "k"), "LISTEN_ENABLED": False}
    )
    assert app.test_client().get("/healthz").get_json()["listening"] == "off"


def test_content_dir_from_env_and_bad_files_do_not_stop_the_app(tmp_path, monkeypatch):
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01")
    monkeypatch.setenv("ASSISTANT_CONTENT_DIR", str(tmp_path))
    app = create_app({"TESTING": True})
    assert app.test_client().get("/healthz").get_json()["articles"] == 1


def test_unknown_route_is_a_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert "error" in response.get_json()
