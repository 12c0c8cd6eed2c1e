"""What the voice tests share: the fake microphone's recording, the page's instrumentation, helpers."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import TYPE_CHECKING

from tests.browser.harness import Page

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
