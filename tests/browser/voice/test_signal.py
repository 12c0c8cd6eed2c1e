"""The page's detector, segmenter, resampler (static/js/segmenter.js) and WAV encoder
(static/js/wav.js), checked directly with synthetic audio by importing the modules into the page
(page.evaluate: the page's CSP blocks added script tags, not same-origin imports)."""

from __future__ import annotations

import io
import wave

import pytest

from tests.browser.harness import Page

from .support import TARGET_RATE

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
