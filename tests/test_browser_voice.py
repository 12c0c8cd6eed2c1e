"""Listening in a real browser: Chromium's fake microphone plays a WAV of "next step".

The WAV is spoken at test time by the app's own speech service and padded with a second of
silence on each side; Chromium loops it, so each time the page opens the microphone it hears
silence, then the command. One browser serves every test here; each test gets a new context,
with the microphone granted (or not) through Playwright's permissions.

The detector, segmenter and resampler of static/js/segmenter.js and the WAV encoder of
static/js/wav.js are also checked directly, with synthetic audio, by importing the modules into
the page (page.evaluate: the page's CSP blocks added script tags, not same-origin imports).

Same skip rules as test_browser.py: skipped without Chromium, a failure with REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# Playwright's names come through the harness, which first skips (or fails) without a browser.
from tests.test_browser import (
    COBRA,
    DESKTOP_VIEWPORT,
    Browser,
    Page,
    _new_page,
    chip,
    expect,
    launched_browser,
    running_app,
    send,
    start_cobra,
    steps,
    wait_until_idle,
)

if TYPE_CHECKING:
    from playwright.sync_api import Request

COMMAND = "next step"
PAD_SECONDS = 1.0  # silence around the command, so the detector first measures a quiet room
TARGET_RATE = 16_000
# What the page may upload for a one-second command: pre-roll, the words, a short tail.
MIN_UPLOAD_SECONDS, MAX_UPLOAD_SECONDS = 0.5, 4.0
# Opening the microphone, a second of silence, the command, 700 ms of quiet, recognition.
EXPECT_LISTEN_MS = 15_000
DENIED_TEXT = "not allowed to use the microphone"
MISSING_TEXT = "No microphone was found"
# Keeps every stream the page opens, so a test can ask whether the microphone is live, and
# notes which kind of node records it.
INSTRUMENT = """
(() => {
  const media = navigator.mediaDevices;
  const open = media.getUserMedia.bind(media);
  window.__streams = [];
  media.getUserMedia = (constraints) => open(constraints).then((stream) => {
    window.__streams.push(stream);
    return stream;
  });
  window.__captureNodes = [];
  const Worklet = window.AudioWorkletNode;
  window.AudioWorkletNode = class extends Worklet {
    constructor(...args) {
      super(...args);
      window.__captureNodes.push("worklet");
    }
  };
  const createScriptProcessor = BaseAudioContext.prototype.createScriptProcessor;
  BaseAudioContext.prototype.createScriptProcessor = function (...args) {
    window.__captureNodes.push("script processor");
    return createScriptProcessor.apply(this, args);
  };
})();
"""
# An old browser: no AudioWorklet, so the page records through a ScriptProcessor.
NO_WORKLET = """
Object.defineProperty(BaseAudioContext.prototype, "audioWorklet", { get: () => undefined });
"""
# A microphone in a silent room.
SILENT_MICROPHONE = """
navigator.mediaDevices.getUserMedia = async () =>
  new AudioContext().createMediaStreamDestination().stream;
"""
NO_MICROPHONE = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException("Requested device not found", "NotFoundError"));
"""


def padded_wav(source: Path, target: Path, pad_seconds: float) -> None:
    """Copy `source` with `pad_seconds` of digital silence before and after it."""
    with wave.open(str(source)) as reader:
        params = reader.getparams()
        frames = reader.readframes(reader.getnframes())
    silence = b"\0" * (int(params.framerate * pad_seconds) * params.sampwidth * params.nchannels)
    with wave.open(str(target), "wb") as writer:
        writer.setparams(params)
        writer.writeframes(silence + frames + silence)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def microphone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.speech import SpeechError, SpeechService

    folder = tmp_path_factory.mktemp("microphone")
    try:
        with SpeechService(folder / "speech") as service:
            spoken = service.wav_path(service.request(COMMAND))
    except (SpeechError, OSError) as error:
        pytest.skip(f"cannot speak the test command: {error}")
    if spoken is None:
        pytest.skip("cannot speak the test command (speech unavailable on this machine)")
    target = folder / "next_step.wav"
    padded_wav(spoken, target, PAD_SECONDS)
    return target


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("speech")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(microphone_wav: Path) -> Iterator[Browser]:
    # No --use-fake-ui-for-media-stream: each context grants or refuses the microphone itself.
    fake_microphone = (
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_wav}",
    )
    with launched_browser(fake_microphone) as launched:
        yield launched


@pytest.fixture
def console_errors() -> list[str]:
    return []


def _page(browser: Browser, base_url: str, errors: list[str], **options) -> Iterator[Page]:
    dialogs: list[str] = []
    page = _new_page(browser, base_url, DESKTOP_VIEWPORT, dialogs, errors, **options)
    yield page
    page.context.close()
    assert dialogs == []
    assert errors == []


@pytest.fixture
def page(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    for page in _page(browser, base_url, console_errors, permissions=["microphone"]):
        page.context.add_init_script(INSTRUMENT)
        yield page


@pytest.fixture
def page_without_microphone(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    yield from _page(browser, base_url, console_errors)


# ---------------------------------------------------------------- helpers


def talk(page: Page):
    return page.get_by_role("button", name="Talk")


def hands_free(page: Page):
    return page.get_by_role("button", name="Hands-free")


def voice_state(page: Page):
    return page.locator("#voice")


def heard(page: Page):
    return page.locator("#messages li[data-via=voice]")


def record_uploads(page: Page) -> list[Request]:
    uploads: list[Request] = []
    page.on("request", lambda r: uploads.append(r) if "/api/listen" in r.url else None)
    return uploads


def capture_nodes(page: Page) -> list[str]:
    return page.evaluate("() => window.__captureNodes")


def wav_format(body: bytes) -> tuple[int, int, int, float]:
    """Sample rate, channels, bytes per sample and duration in seconds of a WAV."""
    with wave.open(io.BytesIO(body)) as reader:
        rate, frames = reader.getframerate(), reader.getnframes()
        return rate, reader.getnchannels(), reader.getsampwidth(), frames / rate


def microphone_live(page: Page) -> bool:
    return page.evaluate("() => window.__streams.some(s => s.getAudioTracks().some(t => t.readyState === 'live'))")


def finish_playback(page: Page) -> None:
    """Say every queued clip has ended, as the element would once it had played them."""
    page.wait_for_function("() => !document.getElementById('player').paused")
    for _ in range(5):
        if voice_state(page).get_attribute("data-state") != "waiting":
            return
        page.locator("#player").dispatch_event("ended")
    raise AssertionError("the page still waits for the coach to finish speaking")


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


# ---------------------------------------------------------------- the detector, on synthetic audio

# Feeds a list of [amplitude, milliseconds] stretches of a 200 Hz tone through the segmenter.
SEGMENT = """
async ([stretches, options]) => {
  const L = await import("/static/js/segmenter.js");
  const events = [];
  const segmenter = L.createSegmenter((event) => {
    if (event.type === "utterance") {
      events.push(["utterance", event.samples.length / L.TARGET_RATE, event.capped]);
    } else if (event.type !== "level") {
      events.push([event.type]);
    }
  }, options || {});
  let n = 0;
  for (const [amplitude, ms] of stretches) {
    const samples = new Float32Array(ms * L.TARGET_RATE / 1000);
    for (let i = 0; i < samples.length; i += 1, n += 1) {
      samples[i] = amplitude * Math.sin(2 * Math.PI * 200 * n / L.TARGET_RATE);
    }
    for (let at = 0; at < samples.length; at += 320) segmenter.push(samples.subarray(at, at + 320));
  }
  return events;
}
"""
SPEECH = 0.3  # a loud voice, about -13 dBFS
QUIET = 0.001  # a quiet room


@pytest.mark.parametrize(
    ("stretches", "expected"),
    [
        pytest.param(
            [[QUIET, 1000], [SPEECH, 800], [QUIET, 1000]],
            [["start"], ["utterance", pytest.approx(0.3 + 0.8 + 0.25, abs=0.05), False]],
            id="a command: pre-roll, words, short tail",
        ),
        pytest.param(
            [[QUIET, 1000], [SPEECH, 300], [QUIET, 400], [SPEECH, 300], [QUIET, 1000]],
            [["start"], ["utterance", pytest.approx(0.3 + 1.0 + 0.25, abs=0.05), False]],
            id="a pause between words shorter than 700 ms keeps one utterance",
        ),
        pytest.param(
            [[QUIET, 1000], [SPEECH, 300], [QUIET, 900], [SPEECH, 300], [QUIET, 1000]],
            [["start"], ["utterance", pytest.approx(0.3 + 0.3 + 0.25, abs=0.05), False]],
            id="700 ms of silence ends it",
        ),
        pytest.param([[QUIET, 7000]], [["nothing"]], id="six seconds of nothing gives up"),
        pytest.param(
            [[QUIET, 1000], [SPEECH, 100], [QUIET, 1000]],
            [["start"], ["discard"]],
            id="a knock is not a word",
        ),
        pytest.param([[QUIET, 1000], [SPEECH, 40], [QUIET, 1000]], [], id="a click does not start speech"),
        pytest.param(
            [[QUIET, 500], [0.02, 2000], [QUIET, 1000]],
            [["start"], ["utterance", pytest.approx(0.3 + 2.0 + 0.25, abs=0.05), False]],
            id="quiet speech above a quiet room",
        ),
        pytest.param(
            [[0.02, 3000], [0.03, 1000]],
            [],
            id="a steady fan is the noise floor, not speech",
        ),
        pytest.param(
            [[QUIET, 1000]] + [[SPEECH, 500], [QUIET, 300]] * 25,
            [["start"], ["utterance", pytest.approx(0.3 + 14.5, abs=0.05), True]],
            id="capped under the server's fifteen seconds",
        ),
    ],
)
def test_segmenter_cuts_one_utterance(page: Page, stretches: list, expected: list) -> None:
    page.goto("/")
    assert page.evaluate(SEGMENT, [stretches, None]) == expected


def test_resampler_keeps_speech_and_drops_what_would_alias(page: Page) -> None:
    page.goto("/")
    levels = page.evaluate(
        """async () => {
          const L = await import("/static/js/segmenter.js");
          const tone = (rate, hz) => {
            const resampler = L.createResampler(rate, L.TARGET_RATE);
            const out = [];
            for (let chunk = 0; chunk < 10; chunk += 1) {
              const input = new Float32Array(rate / 10);
              for (let i = 0; i < input.length; i += 1) {
                input[i] = 0.5 * Math.sin(2 * Math.PI * hz * (chunk * input.length + i) / rate);
              }
              out.push(...resampler.push(input));
            }
            return [out.length, L.rms(Float32Array.from(out.slice(200)))];
          };
          return [tone(48000, 1000), tone(44100, 1000), tone(48000, 12000)];
        }"""
    )
    (n48, speech48), (n44, speech44), (_, alias) = levels
    assert abs(n48 - TARGET_RATE) < 50 and abs(n44 - TARGET_RATE) < 50  # one second out
    assert speech48 == pytest.approx(0.5 / 2**0.5, rel=0.02)
    assert speech44 == pytest.approx(0.5 / 2**0.5, rel=0.02)
    assert alias < 0.005  # a 12 kHz tone would fold to 4 kHz without the low-pass


def test_wav_encoder_writes_16_bit_mono_pcm(page: Page) -> None:
    page.goto("/")
    body = page.evaluate(
        """async () => Array.from(new Uint8Array((await import("/static/js/wav.js")).encodeWav(
            Float32Array.from([0, 0.5, -0.5, 1, -1, 2]), 16000)))"""
    )
    with wave.open(io.BytesIO(bytes(body))) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            TARGET_RATE,
            1,
            2,
        )
        samples = reader.readframes(reader.getnframes())
    values = [int.from_bytes(samples[i : i + 2], "little", signed=True) for i in range(0, 12, 2)]
    assert values == [0, 16383, -16384, 32767, -32768, 32767]  # clipped, not wrapped
