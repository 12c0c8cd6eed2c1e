"""POST /api/listen: a spoken command in, the chat reply and what was heard out; no input gives a 500."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from app import create_app
from tests.conftest import TEST_SECRET


def wav_bytes(samples: bytes = b"", *, rate: int = 16000, channels: int = 1) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples)
    return out.getvalue()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "SPEECH_PRERENDER": False,
            "SPEECH_CACHE_DIR": str(tmp_path_factory.mktemp("speech")),
        }
    )
    yield app
    app.extensions["speech"].close()
    app.extensions["listener"].close()


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def spoken(app, text: str) -> bytes:
    """`text` spoken by the app's own voice, with a little silence either side."""
    service = app.extensions["speech"]
    with wave.open(str(service.wav_path(service.request(text))), "rb") as source:
        params, frames = source.getparams(), source.readframes(source.getnframes())
    pad = b"\x00\x00" * (params.framerate // 2)
    return wav_bytes(pad + frames + pad, rate=params.framerate)


def test_a_spoken_exercise_request_starts_with_the_warning(app, client):
    body = client.post(
        "/api/listen",
        data=spoken(app, "how do I do the cobra stretch"),
        content_type="audio/wav",
        headers={"X-Session": ""},
    ).get_json()
    assert body["transcript"] == "how do i do the cobra stretch"
    assert [m["kind"] for m in body["messages"][:2]] == ["warning", "step"]


def test_the_session_travels_in_a_header(app, client):
    session = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()["session"]
    body = client.post(
        "/api/listen", data=spoken(app, "go to step three"), content_type="audio/wav", headers={"X-Session": session}
    ).get_json()
    assert body["transcript"] == "go to step three"
    assert body["progress"]["step"] == 3


def test_a_session_in_the_url_is_refused_so_access_logs_never_hold_it(app, client):
    session = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()["session"]
    response = client.post(
        f"/api/listen?session={session}", data=wav_bytes(b"\x00\x00" * 16000), content_type="audio/wav"
    )
    assert response.status_code == 400
    assert "X-Session" in response.get_json()["error"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "audio/mpeg"]
)
def test_only_wav_content_types_are_listened_to_so_other_origins_need_a_preflight(client, content_type):
    response = client.post("/api/listen", data=wav_bytes(b"\x00\x00" * 16000), content_type=content_type)
    assert response.status_code == 415
    assert "audio/wav" in response.get_json()["error"]


@pytest.mark.parametrize("content_type", ["audio/wav", "audio/x-wav", "audio/wav; codecs=1"])
def test_both_wav_content_types_are_accepted(client, content_type):
    response = client.post("/api/listen", data=wav_bytes(b"\x00\x00" * 16000), content_type=content_type)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_stop_timer_is_listened_for_only_while_a_timer_runs(app, client):
    said = spoken(app, "stop the timer")
    session = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()["session"]
    session = client.post("/api/chat", json={"message": "go to step 4", "session": session}).get_json()["session"]
    idle = client.post("/api/listen", data=said, content_type="audio/wav", headers={"X-Session": session}).get_json()
    assert "stop" not in idle["transcript"].split()
    timing = client.post("/api/chat", json={"message": "start timer", "session": session}).get_json()
    assert timing["timer"] is not None
    body = client.post(
        "/api/listen", data=said, content_type="audio/wav", headers={"X-Session": timing["session"]}
    ).get_json()
    assert body["transcript"] == "stop the timer"
    assert body["cancel_timer"] is True


def test_silence_is_not_caught_and_changes_nothing(client):
    session = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()["session"]
    body = client.post(
        "/api/listen", data=wav_bytes(b"\x00\x00" * 32000), content_type="audio/wav", headers={"X-Session": session}
    ).get_json()
    assert body["transcript"] == ""
    assert "didn’t catch that" in body["messages"][0]["text"]
    assert body["progress"]["step"] == 1


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", 400),
        (b"not audio at all", 415),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", 400),
        (b"\x00" * (6 * 1024 * 1024 + 1), 413),
    ],
)
def test_bad_audio_is_a_clear_4xx(client, data, status):
    response = client.post("/api/listen", data=data, content_type="audio/wav")
    assert response.status_code in (status, 400, 413, 415)
    assert 400 <= response.status_code < 500
    assert isinstance(response.get_json()["error"], str)


def test_stereo_and_other_rates_and_long_noise_never_fail(client):
    import random

    rng = random.Random(7)
    noise = struct.pack("<" + "h" * 8000 * 60, *(rng.randint(-3000, 3000) for _ in range(8000 * 60)))
    for data in (wav_bytes(b"\x00\x00" * 44100 * 2, rate=44100, channels=2), wav_bytes(noise, rate=8000)):
        response = client.post("/api/listen", data=data, content_type="audio/wav")
        assert response.status_code in (200, 413), response.get_json()
        assert "error" in response.get_json() or response.get_json()["transcript"] is not None
