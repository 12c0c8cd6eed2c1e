"""No request shape gives a 500; stale sessions are repaired; secrets and headers are strict."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app as app_module
from app import ConfigError, create_app
from assistant.listening import DecodePool, ListenBusy, ListenError
from content import DEFAULT_CONTENT_DIR
from tests.conftest import SEED, TEST_SECRET

QUIET = {"TESTING": True, "SPEECH_ENABLED": False, "LISTEN_ENABLED": False, "SECRET_KEY": TEST_SECRET}


@pytest.fixture
def quiet():
    return create_app(dict(QUIET)).test_client()


def chat(client, message, session=None, **extra):
    return client.post("/api/chat", json={"message": message, "session": session, **extra})


# --- the error boundary ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("nested 20,000 deep", b"[" * 20_000 + b"]" * 20_000, 400),
        ("nested objects", b'{"a":' * 8_000 + b"1" + b"}" * 8_000, 400),
        ("a huge rate", b'{"message": "next", "rate": 1' + b"0" * 400 + b"}", 400),
        ("an infinite rate", b'{"message": "next", "rate": 1e400}', 400),
        ("a NaN rate", b'{"message": "next", "rate": NaN}', 400),
        ("a number of 5,000 digits", b'{"message": ' + b"9" * 5000 + b"}", 400),
        ("a lone surrogate", b'{"message": "\\ud800 next"}', 200),
        ("not UTF-8", b'{"message": "\xff\xfe"}', 400),
    ],
)
def test_malformed_json_is_a_4xx_never_a_500(quiet, name, body, status):
    response = quiet.post("/api/chat", data=body, content_type="application/json")
    assert response.status_code == status, name
    assert isinstance(response.get_json(), dict)


def test_a_chunked_body_over_the_limit_is_413_not_400(quiet):
    response = quiet.post(
        "/api/chat",
        input_stream=io.BytesIO(b'{"message": "' + b"x" * (7 << 20) + b'"}'),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == 413
    assert "error" in response.get_json()


class BrokenStream(io.RawIOBase):
    """A body whose framing breaks mid-way, as a server reports a bad chunk size."""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:
        raise ValueError("Invalid chunk size")


def test_a_body_the_server_cannot_read_is_a_400(quiet):
    response = quiet.post(
        "/api/chat",
        input_stream=BrokenStream(),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
chat_bodies = st.fixed_dictionaries(
    {},
    optional={
        "message": st.one_of(
            st.text(max_size=60), st.sampled_from(["next", "cobra stretch", "go to step 9"]), json_values
        ),
        "session": st.one_of(st.none(), st.text(max_size=40), json_values),
        "rate": st.one_of(st.sampled_from(["slow", "fast", "200", "80.5"]), st.integers(), st.floats(), json_values),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(chat_bodies, json_values))
def test_no_chat_body_gives_a_500(quiet, body):
    response = quiet.post("/api/chat", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (200, 400), response.get_json()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    path=st.sampled_from(["/", "/healthz", "/api/chat", "/api/listen", "/api/articles", "/api/speech/x.wav", "/nope"]),
    body=st.binary(max_size=64),
    content_type=st.sampled_from(["application/json", "audio/wav", "text/plain", ""]),
)
def test_no_method_path_or_body_gives_a_500(quiet, method, path, body, content_type):
    response = quiet.open(path, method=method, data=body, content_type=content_type)
    assert response.status_code < 500 or (path == "/api/listen" and response.status_code == 503)


# --- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/"), ("GET", "/nope"), ("DELETE", "/api/chat"), ("GET", "/healthz")]
)
def test_every_response_carries_the_security_headers(quiet, method, path):
    response = quiet.open(path, method=method)
    for name, value in app_module.SECURITY_HEADERS:
        assert response.headers[name] == value


def test_api_replies_are_never_stored(quiet):
    assert chat(quiet, "cobra stretch").headers["Cache-Control"] == "no-store"
    assert quiet.get("/api/articles").headers["Cache-Control"] == "no-store"
    assert quiet.post("/api/chat", data="x").headers["Cache-Control"] == "no-store"


# --- sessions ---------------------------------------------------------------------------------


def edited_content(folder: Path, edit) -> Path:
    """A copy of the seed article with `edit(text)` applied."""
    folder.mkdir()
    (folder / SEED.name).write_text(edit(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def cut_cobra_to_two_steps(text: str) -> str:
    head, cobra = text.split("Cobra Stretch", 1)[0], text.split("Cobra Stretch", 1)[1]
    lines = cobra.splitlines(keepends=True)
    kept, steps = [], 0
    for line in lines:
        if line.strip()[:2] in ("3.", "4.") and steps < 2 and "Multidirectional" not in line:
            continue
        kept.append(line)
        if "Multidirectional" in line:
            steps = 2
    return head + "Cobra Stretch" + "".join(kept)


def stale_tokens(client) -> dict[str, str]:
    """Tokens at the awkward places: the last step of the Cobra Stretch, a timer, a "which one?"."""
    at_four = chat(client, "go to step 4", chat(client, "cobra stretch").get_json()["session"]).get_json()["session"]
    timing = chat(client, "start timer", at_four).get_json()["session"]
    which = chat(client, "go to step 2").get_json()["session"]
    return {"step 4": at_four, "timing": timing, "which one": which}


@pytest.mark.parametrize(
    "edit",
    [
        cut_cobra_to_two_steps,
        lambda text: text.replace("Cobra Stretch", "Cobra Pose"),
        lambda text: text.replace("Cobra Stretch", "Lying Hip Stretch Again"),
    ],
    ids=["shortened", "renamed", "renamed like another"],
)
@pytest.mark.parametrize(
    "command", ["repeat", "back", "next", "start timer", "stop timer", "the first one", "start over"]
)
def test_tokens_from_before_an_edit_get_a_sensible_reply_never_a_500(tmp_path, edit, command):
    before = create_app(dict(QUIET)).test_client()
    tokens = stale_tokens(before)
    after = create_app({**QUIET, "CONTENT_DIR": str(edited_content(tmp_path / "content", edit))}).test_client()
    for place, token in tokens.items():
        response = chat(after, command, token)
        assert response.status_code == 200, (place, response.get_json())
        body = response.get_json()
        assert body["messages"] and all(m["text"] for m in body["messages"])
        if body["progress"]:
            assert 1 <= body["progress"]["step"] <= body["progress"]["total"]


def test_a_shortened_exercise_is_stopped_with_one_plain_message(tmp_path):
    before = create_app(dict(QUIET)).test_client()
    token = stale_tokens(before)["step 4"]
    after = create_app({**QUIET, "CONTENT_DIR": str(edited_content(tmp_path / "content", cut_cobra_to_two_steps))})
    body = chat(after.test_client(), "repeat", token).get_json()
    assert body["messages"][0]["text"].startswith("The Cobra Stretch changed since we last talked")
    assert body["progress"] is None
    restarted = chat(after.test_client(), "start over", body["session"]).get_json()
    assert [m["kind"] for m in restarted["messages"][:2]] == ["warning", "step"]  # warning first, always


def test_a_token_idle_for_longer_than_the_limit_starts_afresh_and_says_so(monkeypatch):
    client = create_app({**QUIET, "SESSION_IDLE_SECONDS": 3600}).test_client()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 7200)
    old = chat(client, "cobra stretch").get_json()["session"]
    monkeypatch.setattr(time, "time", real_time)
    body = chat(client, "next", old).get_json()
    assert body["messages"][0]["text"].startswith("It has been a while")
    assert body["progress"] is None


# --- listening under load ------------------------------------------------------------------------


def waiting_recognizer(gate: str):
    """A recogniser (built in the decoder process) that blocks each decode until `gate` exists."""
    from tests.test_hostile import _GatedRecognizer

    return _GatedRecognizer(gate)


@dataclasses.dataclass
class _GatedRecognizer:
    gate: str

    def transcribe(self, data, *, subset=None):
        from assistant.listening import Transcript

        while not os.path.exists(self.gate):
            time.sleep(0.01)
        return Transcript("next", 1.0, 1.0)


def test_a_full_listen_queue_answers_503_with_retry_after_at_once(tmp_path):
    from functools import partial

    gate = tmp_path / "gate"
    app = create_app(
        {
            **QUIET,
            "LISTEN_ENABLED": True,
            "LISTEN_DECODERS": 1,
            "LISTEN_QUEUE": 0,
            "LISTEN_RECOGNIZER_FACTORY": partial(waiting_recognizer, str(gate)),
        }
    )
    pool: DecodePool = app.extensions["listener"]
    client = app.test_client()
    results = []
    first = threading.Thread(
        target=lambda: results.append(client.post("/api/listen", data=b"RIFF", content_type="audio/wav"))
    )
    first.start()
    try:
        deadline = time.monotonic() + 30
        while pool._slots._value > 0 and time.monotonic() < deadline:  # noqa: SLF001 - wait until it is decoding
            time.sleep(0.01)
        busy = app.test_client().post("/api/listen", data=b"RIFF", content_type="audio/wav")
        assert busy.status_code == 503
        assert int(busy.headers["Retry-After"]) > 0
        assert "busy" in busy.get_json()["error"]
        assert chat(app.test_client(), "cobra stretch").status_code == 200  # chat is not held up
    finally:
        gate.touch()
        first.join(60)
        pool.close()
    assert results[0].status_code == 200 and results[0].get_json()["transcript"] == "next"


def test_listen_busy_is_a_listen_error_the_web_answers_503():
    from web.errors import LISTEN_STATUS

    assert isinstance(ListenBusy("x"), ListenError)
    assert next(code for kind, code in LISTEN_STATUS if isinstance(ListenBusy("x"), kind)) == 503


# --- secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   ", "short", "x" * 31])
def test_short_or_empty_keys_are_refused_at_start_up(tmp_path, monkeypatch, key):
    monkeypatch.setenv("ASSISTANT_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"TESTING": True, "SPEECH_ENABLED": False, "LISTEN_ENABLED": False})


def test_an_empty_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({**QUIET, "SECRET_KEY": None, "SECRET_FILE": str(tmp_path / "secret_key")})


def test_the_key_file_is_private_from_its_first_byte(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSISTANT_SECRET_KEY", raising=False)
    modes = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):
        modes.append(mode)
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    create_app({**QUIET, "SECRET_KEY": None, "SECRET_FILE": str(tmp_path / "var" / "secret_key")})
    monkeypatch.setattr(os, "open", real_open)
    key = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert modes and all(mode == 0o600 for mode in modes)
    assert len(key.read_text()) >= 32
    assert [p.name for p in key.parent.iterdir()] == ["secret_key"]  # no temporary file left


def test_the_content_folder_is_the_seed_by_default():
    assert shutil.os.path.samefile(create_app(dict(QUIET)).config["CONTENT_DIR"], DEFAULT_CONTENT_DIR)


def test_every_error_we_raise_is_one_tree_and_none_knows_http():
    import inspect

    import errors
    from app import ConfigError
    from assistant.conversation.session import SessionError
    from assistant.listening import ListenError
    from assistant.speech import SpeechError
    from content import ContentError
    from intents.vocabulary import PhrasingsError

    for kind in (ConfigError, SessionError, ListenError, SpeechError, ContentError, PhrasingsError):
        assert issubclass(kind, errors.AssistantError)
        assert "status" not in inspect.getsource(kind)
