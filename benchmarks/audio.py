"""Synthetic audio for the voice evaluation: coloured noise mixed at a speech-to-noise ratio, WAV bytes. Pure."""

from __future__ import annotations

import io
import wave
from typing import Final

import numpy as np

__all__ = ["coloured_noise", "from_wav", "mix_noise", "speech_level", "to_wav"]

ACTIVE_SPEECH_DB: Final = 30.0
"""Frames within this many dB of the loudest frame count as speech when measuring its level."""
FRAME_SECONDS: Final = 0.02


def coloured_noise(count: int, colour: str, rng: np.random.Generator) -> np.ndarray:
    """Unit-RMS white noise, or pink noise (power falling as 1/f) shaped in the spectrum."""
    white = rng.standard_normal(count)
    if colour == "pink" and count > 1:
        spectrum = np.fft.rfft(white)
        frequencies = np.arange(len(spectrum), dtype=float)
        frequencies[0] = 1.0
        white = np.fft.irfft(spectrum / np.sqrt(frequencies), count)
    rms = float(np.sqrt(np.mean(white**2))) if count else 1.0
    return white / (rms or 1.0)


def speech_level(samples: np.ndarray, rate: int) -> float:
    """RMS over the active speech: frames within ACTIVE_SPEECH_DB of the loudest one."""
    size = max(1, int(rate * FRAME_SECONDS))
    usable = len(samples) // size * size
    if not usable:
        return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
    power = np.mean(samples[:usable].reshape(-1, size) ** 2, axis=1)
    active = power[power >= power.max() * 10 ** (-ACTIVE_SPEECH_DB / 10)]
    return float(np.sqrt(np.mean(active)))


def mix_noise(samples: np.ndarray, rate: int, colour: str, snr_db: float, seed: int) -> np.ndarray:
    """`samples` with noise `snr_db` below the speech level, clipped to [-1, 1]."""
    noise = coloured_noise(len(samples), colour, np.random.default_rng(seed))
    level = speech_level(samples, rate) * 10 ** (-snr_db / 20)
    return np.clip(samples + noise * level, -1.0, 1.0)


def to_wav(samples: np.ndarray, rate: int) -> bytes:
    """16-bit mono WAV bytes."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def from_wav(data: bytes) -> tuple[np.ndarray, int]:
    """Samples in [-1, 1] and rate of a 16-bit mono WAV (what espeak writes)."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, wav.getframerate()
