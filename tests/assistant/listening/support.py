"""WAV bytes in any layout the recogniser claims to read, and the voices the tests speak in."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from benchmarks import voice_eval
from benchmarks.audio import from_wav

VOICES = ("en-us", "en-gb-x-rp")
RATE = 175
NOISES = (("clean", None), ("white", 20.0))
FLOORS = {
    voice_eval.COMMANDS: 0.90,
    voice_eval.OTHER_COMMANDS: 0.75,
    voice_eval.EXERCISES: 0.90,
    voice_eval.OTHER: 0.55,
    voice_eval.PAIN_SAID: 0.95,
    voice_eval.NATURAL: 0.75,
}
"""Measured on this subset (`voice_eval --quick`): short commands 97%, other commands 75%,
exercise requests 98%, natural commands 85%, pain reports 100%, other speech 60%. Other speech
fell from 90% when the grammar took in the pain vocabulary: most of it is now heard as pain
("my favourite colour is blue" as "my ankle is killing me"), a false stop that costs one word,
the price of hearing spoken pain reports at all (they decoded as commands before).
The full set (six voices, three rates, five noise levels) is
`python -m benchmarks.voice_eval`."""
SPEECH_RATE = 22050
PAGES = Path(__file__).parents[2] / "content" / "pages"


# --- WAV writing for the tests (any layout the recogniser claims to read) ---------------------


def wav(
    samples: np.ndarray,
    rate: int = 16000,
    *,
    channels: int = 1,
    width: int = 2,
    floating: bool = False,
    extensible: bool = False,
) -> bytes:
    """RIFF/WAVE bytes of `samples` in [-1, 1]: one column per channel, or mono repeated
    over `channels`."""
    if samples.ndim == 1:
        samples = np.repeat(samples[:, None], channels, axis=1)
    channels = samples.shape[1]
    frames = np.clip(samples, -1, 1).reshape(-1)
    if floating:
        data = frames.astype("<f4" if width == 4 else "<f8").tobytes()
    elif width == 1:
        data = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        values = np.round(frames * (2**23 - 1)).astype("<i4").tobytes()
        data = b"".join(values[i : i + 3] for i in range(0, len(values), 4))
    else:
        scale = 2 ** (8 * width - 1) - 1
        data = np.round(frames * scale).astype("<i2" if width == 2 else "<i4").tobytes()
    tag = 3 if floating else 1
    block = channels * width
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, rate, rate * block, block, 8 * width)
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, 8 * width, 0) + struct.pack("<H", tag) + guid_tail
    body = b"WAVE" + chunk(b"fmt ", fmt) + chunk(b"LIST", b"INFOjunk") + chunk(b"data", data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def tone(seconds: float, rate: int = 16000, hertz: float = 440.0, level: float = 0.5) -> np.ndarray:
    return level * np.sin(2 * np.pi * hertz * np.arange(int(seconds * rate)) / rate)


def noise(seconds: float, rate: int = 16000, level: float = 0.2, seed: int = 1) -> np.ndarray:
    return level * np.random.default_rng(seed).standard_normal(int(seconds * rate)).clip(-4, 4) / 4


def resampled_to(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Crude but band-limited enough for tests: linear interpolation of an espeak clip."""
    count = round(len(samples) * target / rate)
    return np.interp(np.arange(count) * rate / target, np.arange(len(samples)), samples)


GOOD = wav(tone(0.5))
"""A well-formed half second of tone."""


def spoken(clips: dict[tuple[str, int, str], bytes], text: str, voice: str = "en-us") -> tuple[np.ndarray, int]:
    return from_wav(clips[voice, RATE, text])
