"""Listening in a real browser: push to talk, hands-free, silence, refusals, no microphone.

The recording is spoken at test time by the app's own speech service (see conftest.py); each
test gets a new context, with the microphone granted (or not) through Playwright's permissions.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.harness import COBRA, Page, chip, expect, send, start_cobra, steps, wait_until_idle

from .support import (
    DENIED_TEXT,
    EXPECT_LISTEN_MS,
    MAX_UPLOAD_SECONDS,
    MIN_UPLOAD_SECONDS,
    MISSING_TEXT,
    NO_MICROPHONE,
    NO_WORKLET,
    SILENT_MICROPHONE,
    TARGET_RATE,
    capture_nodes,
    finish_playback,
    hands_free,
    heard,
    microphone_live,
    record_uploads,
    talk,
    voice_state,
    wav_format,
)

# ---------------------------------------------------------------- push to talk and hands-free


def test_talk_sends_what_was_heard_and_shows_it_before_the_reply(page: Page) -> None:
    uploads = record_uploads(page)
    start_cobra(page)
    wait_until_idle(page)
    with page.expect_response("**/api/listen*", timeout=EXPECT_LISTEN_MS) as listened:
        talk(page).click()
        expect(talk(page)).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#voice-status")).to_have_text("Listening…")
    transcript = listened.value.json()["transcript"]
    assert re.search(r"\bnext\b", transcript), f"the server heard {transcript!r}"
    expect(heard(page)).to_have_count(1)
    expect(heard(page)).to_contain_text(transcript)
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    expect(page.locator("#progress-label")).to_contain_text("2 of 4")
    order = page.evaluate(
        """() => [...document.querySelectorAll('#messages li')].slice(-2)
            .map(li => li.dataset.via || li.dataset.kind)"""
    )
    assert order == ["voice", "step"]
    # Push to talk listens once: the microphone is off again.
    expect(voice_state(page)).to_have_attribute("data-state", "off")
    expect(talk(page)).to_have_attribute("aria-pressed", "false")
    assert not microphone_live(page)
    assert capture_nodes(page) == ["worklet"]

    assert len(uploads) == 1
    upload = uploads[0]
    assert upload.headers["content-type"] == "audio/wav"
    assert "session" not in upload.url, "the session token never goes in the URL"
    assert upload.headers.get("x-session"), "the session token goes in the X-Session header"
    rate, channels, width, seconds = wav_format(upload.post_data_buffer)
    assert (rate, channels, width) == (TARGET_RATE, 1, 2)
    assert MIN_UPLOAD_SECONDS <= seconds <= MAX_UPLOAD_SECONDS


def test_without_audio_worklet_the_script_processor_records_the_same(page: Page) -> None:
    page.context.add_init_script(NO_WORKLET)
    start_cobra(page)
    wait_until_idle(page)
    # Hearing takes a second of quiet, the command, 700 ms of quiet and recognition: wait for
    # the upload's answer as long as the worklet test does, not Playwright's default 5 s, which
    # a busy machine exceeded (the cause of this test's rare failures).
    with page.expect_response("**/api/listen*", timeout=EXPECT_LISTEN_MS) as listened:
        talk(page).click()
    transcript = listened.value.json()["transcript"]
    assert re.search(r"\bnext\b", transcript), f"the server heard {transcript!r}"
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    assert capture_nodes(page) == ["script processor"]
    rate, channels, width, seconds = wav_format(listened.value.request.post_data_buffer)
    assert (rate, channels, width) == (TARGET_RATE, 1, 2)
    assert MIN_UPLOAD_SECONDS <= seconds <= MAX_UPLOAD_SECONDS


def test_hands_free_listens_after_each_reply_has_played(page: Page) -> None:
    start_cobra(page)
    wait_until_idle(page)
    speaking = page.locator("#messages li[data-audio]").count() > 0
    hands_free(page).click()
    expect(hands_free(page)).to_have_attribute("aria-pressed", "true")
    # The warning and step 1 are being read out: it listens once they have been.
    if speaking:
        expect(voice_state(page)).to_have_attribute("data-state", "waiting")
        expect(page.locator("#voice-status")).to_have_text("I will listen when I have finished speaking.")
        assert not microphone_live(page)
        finish_playback(page)
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    # Step 2 is being read out: the page must not listen to itself.
    if speaking:
        expect(voice_state(page)).to_have_attribute("data-state", "waiting")
        assert not microphone_live(page)
        finish_playback(page)
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    expect(steps(page).last).to_contain_text("Step 3 of 4")
    expect(heard(page)).to_have_count(2)
    hands_free(page).click()
    expect(voice_state(page)).to_have_attribute("data-state", "off")
    page.reload()
    expect(hands_free(page)).to_have_attribute("aria-pressed", "false")


def test_the_microphone_is_recorded_as_it_is(page: Page) -> None:
    # The server levels and denoises each recording itself. The browser's gain control would
    # squeeze the soft and loud sounds of a word together, which pulled a clean "next step"
    # down to the recogniser's confidence cut-off (3 of 21 recordings not understood).
    page.goto("/")
    talk(page).click()
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    settings = page.evaluate("() => window.__streams[0].getAudioTracks()[0].getSettings()")
    assert settings["autoGainControl"] is False
    assert settings["noiseSuppression"] is False
    assert settings["echoCancellation"] is True  # never hear the coach's own voice
    page.keyboard.press("Escape")
    expect(voice_state(page)).to_have_attribute("data-state", "off")


def test_silence_gives_up_and_says_so(page: Page) -> None:
    page.context.add_init_script(SILENT_MICROPHONE)
    uploads = record_uploads(page)
    page.goto("/")
    talk(page).click()
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    expect(page.locator("#voice-status")).to_have_text(
        re.compile("did not hear anything"),
        timeout=10_000,  # gives up after 6 s of audio
    )
    expect(talk(page)).to_have_attribute("aria-pressed", "false")
    assert uploads == []


def test_hands_free_setting_is_remembered_without_listening_on_load(page: Page) -> None:
    page.goto("/")
    page.locator("#speaker").click()  # nothing to wait for between a reply and listening
    hands_free(page).click()
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    page.reload()
    expect(hands_free(page)).to_have_attribute("aria-pressed", "true")
    expect(voice_state(page)).to_have_attribute("data-state", "off")  # a reload opens no mic
    assert not microphone_live(page)
    send(page, COBRA)  # typed; once the reply is in, hands-free listens
    expect(steps(page).last).to_contain_text("Step 1 of 4")
    expect(page.locator("#voice-status")).to_have_text("Listening…")
    hands_free(page).click()
    expect(voice_state(page)).to_have_attribute("data-state", "off")
    assert not microphone_live(page)


def test_a_refusal_from_the_server_is_shown_politely(page: Page, console_errors: list[str]) -> None:
    reason = "The recording is too long."
    page.route(
        "**/api/listen*",
        lambda route: route.fulfill(status=413, json={"error": reason}),
    )
    start_cobra(page)
    wait_until_idle(page)
    talk(page).click()
    error = page.locator("#messages li[data-kind=error]")
    expect(error).to_contain_text(f"Sorry, I could not use that recording: {reason}")
    expect(heard(page)).to_have_count(0)
    expect(voice_state(page)).to_have_attribute("data-state", "off")
    # Chromium logs every 4xx response as a console error; that one is expected here.
    console_errors[:] = [e for e in console_errors if "status of 413" not in e]
    send(page, "next")
    expect(steps(page).last).to_contain_text("Step 2 of 4")


NOT_HEARD = "Sorry, I didn’t catch that. Please say it again, or type it."


def test_when_nothing_was_understood_only_the_reply_is_shown(page: Page) -> None:
    def nothing_understood(route) -> None:
        session = route.request.headers["x-session"]
        reply = {
            "session": session,
            "messages": [{"kind": "info", "text": NOT_HEARD, "speech": NOT_HEARD, "audio": None}],
            "progress": {"exercise": "Cobra Stretch", "slug": "cobra-stretch", "step": 1, "total": 4},
            "suggestions": ["Next", "Repeat", "Back", "Start over", "Stop"],
            "timer": None,
            "cancel_timer": False,
            "transcript": "",
        }
        route.fulfill(json=reply)

    page.route("**/api/listen*", nothing_understood)
    start_cobra(page)
    wait_until_idle(page)
    talk(page).click()
    expect(page.locator("#messages li[data-from=bot]").last).to_have_text(re.compile(NOT_HEARD))
    expect(heard(page)).to_have_count(0)
    expect(page.locator("#messages li[data-from=user]")).to_have_count(1)  # the typed request
    expect(page.locator("#progress-label")).to_contain_text("1 of 4")


@pytest.mark.parametrize(
    ("init_script", "message"),
    [(None, DENIED_TEXT), (NO_MICROPHONE, MISSING_TEXT)],
    ids=["denied", "missing"],
)
def test_without_a_microphone_the_page_says_so_and_typing_still_works(
    page_without_microphone: Page, init_script: str | None, message: str
) -> None:
    page = page_without_microphone
    if init_script:
        page.context.add_init_script(init_script)
    page.goto("/")
    hands_free(page).click()
    expect(voice_state(page)).to_have_attribute("data-state", "error")
    expect(page.locator("#voice-status")).to_contain_text(message)
    expect(hands_free(page)).to_have_attribute("aria-pressed", "false")  # no retry every turn
    send(page, COBRA)
    expect(steps(page).last).to_contain_text("Step 1 of 4")
    talk(page).click()
    expect(page.locator("#voice-status")).to_contain_text(message)
    expect(talk(page)).to_have_attribute("aria-pressed", "false")
    chip(page, "Next").click()
    expect(steps(page).last).to_contain_text("Step 2 of 4")
