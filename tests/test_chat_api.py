"""POST /api/chat: a guided conversation over JSON, stateless across requests, bad input answered."""

from __future__ import annotations

import pytest

from app import create_app
from content import DEFAULT_CONTENT_DIR
from tests.conftest import TEST_SECRET


def broken_engine():
    """An engine factory that fails the way a missing libespeak-ng does (runs in the worker)."""
    raise OSError("libespeak-ng.so.1: cannot open shared object file")


@pytest.fixture
def quiet_app(tmp_path):
    return create_app(
        {"TESTING": True, "SPEECH_ENABLED": False, "SECRET_KEY": TEST_SECRET, "CONTENT_DIR": str(DEFAULT_CONTENT_DIR)}
    )


@pytest.fixture
def talk(quiet_app):
    client = quiet_app.test_client()

    def say(message, **extra):
        response = client.post("/api/chat", json={"message": message, "session": say.session, **extra})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        say.session = body["session"]
        return body

    say.session = None
    return say


def test_a_guided_conversation(talk):
    first = talk("how do I do the cobra stretch")
    assert [m["kind"] for m in first["messages"]] == ["warning", "step"]
    assert first["messages"][1]["text"].startswith("Step 1 of 4: Lie on your stomach")
    assert first["progress"] == {"exercise": "Cobra Stretch", "slug": "cobra-stretch", "step": 1, "total": 4}
    assert first["suggestions"] == ["Next", "Repeat", "Back", "Start over", "Stop"]
    assert set(first["messages"][0]) == {"kind", "text", "speech", "audio", "heading", "body"}
    assert (first["messages"][1]["heading"], first["messages"][1]["body"]) == (
        "Step 1 of 4",
        "Lie on your stomach with legs stretched out behind you.",
    )
    second = talk("next step")
    assert second["messages"][0]["text"].startswith("Step 2 of 4")
    assert second["progress"]["step"] == 2


def test_the_session_token_carries_the_state_to_any_app_instance(talk):
    talk("cobra stretch")
    other = create_app({"TESTING": True, "SPEECH_ENABLED": False, "SECRET_KEY": TEST_SECRET})
    body = other.test_client().post("/api/chat", json={"message": "next", "session": talk.session}).get_json()
    assert body["progress"]["step"] == 2


def test_a_tampered_or_foreign_token_starts_a_new_conversation(talk):
    talk("cobra stretch")
    talk.session = talk.session[:-3] + "abc"
    assert "No exercise is in progress" in talk("next")["messages"][0]["text"]


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        (None, {"data": "not json", "content_type": "application/json"}),
        (None, {"data": b"\x00\xff\xfe", "content_type": "application/octet-stream"}),
        ([1, 2], {}),
        ({}, {}),
        ({"message": ""}, {}),
        ({"message": "   "}, {}),
        ({"message": 42}, {}),
        ({"message": ["next"]}, {}),
        ({"message": "x" * 2001}, {}),
        ({"message": "next", "session": 5}, {}),
        ({"message": "next", "rate": "warp"}, {}),
        ({"message": "next", "rate": 10_000}, {}),
    ],
)
def test_bad_requests_get_a_clear_json_error(quiet_app, body, kwargs):
    client = quiet_app.test_client()
    response = client.post("/api/chat", json=body, **kwargs) if body is not None else client.post("/api/chat", **kwargs)
    assert response.status_code == 400
    assert isinstance(response.get_json()["error"], str)


def test_unknown_speech_ids_are_404_json(client):
    for path in ("/api/speech/nope.wav", "/api/speech/" + "0" * 64 + ".wav", "/api/speech/..%2Fsecret_key.wav"):
        response = client.get(path)
        assert response.status_code == 404
        assert "error" in response.get_json()


def test_the_page_is_served_with_a_strict_content_security_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_audio_for_every_message_is_a_wav(spoken_client):
    client = spoken_client
    body = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()
    for message in body["messages"]:
        response = client.get(message["audio"])
        data = response.get_data()
        response.close()
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "audio/wav"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
        again = client.get(message["audio"], headers={"If-None-Match": response.headers["ETag"]})
        again.close()
        assert again.status_code == 304


def test_a_broken_engine_leaves_the_chat_answering_without_audio(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "SPEECH_CACHE_DIR": str(tmp_path),
            "SPEECH_PRERENDER": False,
            "SPEECH_ENGINE_FACTORY": broken_engine,
            "SPEECH_TIMEOUT": 5.0,
        }
    )
    client = app.test_client()
    first = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()
    audio = first["messages"][1]["audio"]
    if audio is not None:  # synthesis had not failed yet when the reply was made
        failed = client.get(audio)  # a URL handed out is never "not found": it can be made later
        assert failed.status_code == 503 and failed.headers["Retry-After"]
    later = client.post("/api/chat", json={"message": "next", "session": first["session"]}).get_json()
    assert later["messages"][0]["text"].startswith("Step 2 of 4")
    assert later["messages"][0]["audio"] is None
    app.extensions["speech"].close()


def test_start_timer_sends_the_counts_with_their_speech(talk):
    talk("cobra stretch")
    talk("go to step 4")
    body = talk("start timer")
    assert body["timer"]["seconds"] == 30
    assert [c["at"] for c in body["timer"]["counts"]] == [5, 10, 15, 20, 25, 28, 29, 30]
    assert set(body["timer"]["counts"][0]) == {"at", "kind", "text", "speech", "audio", "heading", "body"}
    assert body["cancel_timer"] is False
    assert talk("next")["cancel_timer"] is True


def test_audio_supports_ranges_and_refuses_impossible_ones(spoken_client):
    client = spoken_client
    body = client.post("/api/chat", json={"message": "cobra stretch"}).get_json()
    url = body["messages"][1]["audio"]
    part = client.get(url, headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.get_data()) == 100
    impossible = client.get(url, headers={"Range": "bytes=99999999-"})
    assert impossible.status_code == 416
    assert "error" in impossible.get_json()


def test_every_reply_says_what_it_understood(talk):
    first = talk("how do I do the cobra stretch")
    assert (first["intent"], first["exercise"], first["step"], first["total_steps"]) == (
        "start_exercise",
        "Cobra Stretch",
        1,
        4,
    )
    nxt = talk("yep, next bit")
    assert (nxt["intent"], nxt["exercise"], nxt["step"], nxt["total_steps"]) == ("next_step", "Cobra Stretch", 2, 4)
    off = talk("play some music")
    assert (off["intent"], off["exercise"], off["step"], off["total_steps"]) == ("out_of_scope", None, None, None)
    assert off["progress"]["step"] == 2  # the position is kept; the reading says it was out of scope


def test_pause_and_resume_tell_the_page_to_freeze_and_carry_on_the_timer(talk):
    talk("cobra stretch")
    talk("go to step 4")
    assert talk("start timer")["timer"]["seconds"] == 30
    paused = talk("hold on")
    assert paused["pause_timer"] is True and paused["intent"] == "pause"
    assert talk("resume")["resume_timer"] is True


def test_what_the_step_offers_is_in_the_reply_not_only_in_its_words(talk):
    assert talk("how do I do the cobra stretch")["offers"] == []
    held = talk("step 4")
    assert held["offers"] == [{"intent": "start_timer", "label": "Start timer"}]
    assert held["listening"] == "hold step"
    timing = talk("start timer")
    assert timing["listening"] == "timing" and timing["timer"]["seconds"] == 30
    assert talk("how do I do the leg raises")["offers"] == []
    assert talk("step 5")["offers"] == [{"intent": "count_rep", "label": "Done"}]
    assert talk("pause")["offers"] == []  # paused: nothing to count until "resume"


def test_the_speed_control_sets_the_conversations_rate_and_slower_is_reported(talk):
    assert talk("hello")["rate"] == "normal"
    assert talk("next", rate="fast")["rate"] == "fast"
    assert talk("hello")["rate"] == "fast"  # kept in the session, not only for one reply
    assert talk("speak slower")["rate"] == "normal"  # the control shows what "slower" did
    assert talk("hello", rate=200)["rate"] == "normal"  # a number is for that reply only


def test_each_reply_asks_for_its_audio_once_at_the_conversations_rate(client, speaker):
    body = client.post("/api/chat", json={"message": "cobra stretch", "rate": "slow"}).get_json()
    assert speaker.requests == [(m["speech"], 130) for m in body["messages"]]
    assert all(m["audio"] for m in body["messages"])
    assert speaker.prerendered  # every warning and step, made ahead at start-up
