"""Preparing audio for the acoustic model: resampling, loudness, denoising. Pure."""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from .wav import Audio

__all__ = ["MODEL_RATE", "denoise", "loudness_range_db", "model_input", "resample"]


MODEL_RATE: Final = 16000
"""The acoustic model was trained on 16 kHz audio."""


MIN_SPEECH_SECONDS: Final = 0.15
"""Shorter than the shortest command ("stop" said fast): nothing to decode."""


SILENCE_PEAK: Final = 10 ** (-60 / 20)
"""Nothing louder than -60 dBFS: a muted microphone. Not decoded."""


TARGET_PEAK: Final = 0.5
"""Recordings are scaled to this peak, so quiet microphones decode like loud ones."""


NOISE_FLOOR: Final = 10 ** (-50 / 20)
"""Comfort noise under everything: exact digital silence (synthesised or noise-suppressed
audio) wrecks the model's log-energy features. On espeak voices a floor 44 dB under the
peak took command accuracy from 68% to 91% (small grammar, clean audio)."""


NOISE_SEED: Final = 20240611
"""The floor is seeded, so the same bytes always give the same transcript."""


WINDOW: Final = 512
"""32 ms analysis windows at 16 kHz: fine enough in frequency to tell noise from voice."""


HOP: Final = 128
"""Windows overlap by three quarters, so the filtered windows add back seamlessly."""


NOISE_QUANTILE: Final = 0.15
"""The quietest 15% of windows are taken as noise alone: people pause around a command."""


LOUD_QUANTILE: Final = 0.9
"""The loud end of a recording is its 90th-percentile window (one click is not speech)."""


SMOOTHING: Final = 0.98
"""Decision-directed speech-to-noise estimate (Ephraim and Malah): mostly the previous
window's, which avoids the "musical" noise of plain spectral subtraction."""


MIN_GAIN: Final = 0.1
"""Attenuate noise by at most 20 dB: removing more also removes the quiet speech sounds."""


TINY: Final = 1e-12
"""Guards divisions; window energies below it are digital silence."""


def model_input(audio: Audio, *, min_range_db: float) -> bytes | None:
    """16-bit PCM at MODEL_RATE, denoised, scaled and over a comfort-noise floor; None when
    there is nothing to decode: too short, silent, or steady noise (the loud windows less
    than `min_range_db` above the quiet ones)."""
    if audio.seconds < MIN_SPEECH_SECONDS:
        return None
    samples = resample(audio.samples, audio.rate)
    peak = float(np.max(np.abs(samples)))
    if peak < SILENCE_PEAK or loudness_range_db(samples) < min_range_db:
        return None
    samples = denoise(samples)
    peak = float(np.max(np.abs(samples))) or peak
    floor = np.random.default_rng(NOISE_SEED).standard_normal(len(samples)) * NOISE_FLOOR
    scaled = np.clip(samples * (TARGET_PEAK / peak) + floor, -1.0, 1.0)
    return (scaled * 32767).astype("<i2").tobytes()


def resample(samples: np.ndarray, rate: int, target: int = MODEL_RATE) -> np.ndarray:
    """Band-limited resampling through the spectrum: an exact low-pass, no aliasing. The
    signal is first padded with silence to a length whose FFTs are fast (a length with a
    large prime factor made a 2-second clip take 18 ms instead of 2)."""
    if rate == target or not len(samples):
        return samples
    common = math.gcd(rate, target)
    step_in, step_out = rate // common, target // common
    blocks = _smooth_at_least(-(-len(samples) // step_in))
    padded = np.zeros(blocks * step_in)
    padded[: len(samples)] = samples
    spectrum = np.fft.rfft(padded)
    kept = np.zeros(blocks * step_out // 2 + 1, dtype=complex)
    shared = min(len(spectrum), len(kept))
    kept[:shared] = spectrum[:shared]
    out = np.fft.irfft(kept, blocks * step_out) * (step_out / step_in)
    return out[: max(1, round(len(samples) * target / rate))]


def _smooth_at_least(count: int) -> int:
    """The smallest number >= `count` with no prime factor above 7."""
    best = 7 ** max(1, math.ceil(math.log(max(count, 1), 7)))
    power2 = 1
    while power2 < 2 * best:
        power3 = power2
        while power3 < 2 * best:
            power5 = power3
            while power5 < 2 * best:
                power7 = power5
                while power7 < count:
                    power7 *= 7
                best = min(best, power7)
                power5 *= 5
            power3 *= 3
        power2 *= 2
    return best


def loudness_range_db(samples: np.ndarray) -> float:
    """How far (dB) the loud windows stand above the quietest NOISE_QUANTILE of them."""
    count = len(samples) // WINDOW
    if count < 2:
        return float("inf")  # too short to tell speech from noise: let the decoder judge
    energy = np.mean(samples[: count * WINDOW].reshape(count, WINDOW) ** 2, axis=1)
    quiet = float(np.mean(np.sort(energy)[: max(1, int(NOISE_QUANTILE * count))]))
    loud = float(np.quantile(energy, LOUD_QUANTILE))
    if quiet < TINY:
        return float("inf")  # exact zeros around a sound: no noise at all
    return 10 * float(np.log10(max(loud, quiet) / quiet))


def denoise(samples: np.ndarray) -> np.ndarray:
    """Wiener-filter steady background noise (fans, hiss, hum) out of `samples`: on espeak
    voices with white noise at 10 dB SNR, command accuracy went from 42% to 77%."""
    if len(samples) < WINDOW:
        return samples
    window = np.hanning(WINDOW + 1)[:-1]
    padded = np.concatenate([np.zeros(WINDOW), samples, np.zeros(WINDOW)])
    starts = HOP * np.arange(1 + (len(padded) - WINDOW) // HOP)
    spectra = np.fft.rfft(padded[starts[:, None] + np.arange(WINDOW)] * window, axis=1)
    power = np.abs(spectra) ** 2
    energy = power.sum(axis=1)
    quiet = np.argsort(energy)[: max(1, int(NOISE_QUANTILE * len(starts)))]
    if energy[quiet].mean() < TINY:
        return samples  # digital silence between the sounds: no noise to remove
    gains = _wiener_gains(power, power[quiet].mean(axis=0) + TINY)
    filtered = np.fft.irfft(spectra * gains, WINDOW, axis=1) * window
    out = _overlap_add(filtered) / np.maximum(_overlap_add(np.tile(window**2, (len(starts), 1))), TINY)
    return out[WINDOW : WINDOW + len(samples)]


def _overlap_add(frames: np.ndarray) -> np.ndarray:
    """Sum windows that start HOP apart (WINDOW is a whole number of hops)."""
    shifts = WINDOW // HOP
    blocks = np.zeros((len(frames) + shifts - 1, HOP))
    parts = frames.reshape(len(frames), shifts, HOP)
    for shift in range(shifts):
        blocks[shift : shift + len(frames)] += parts[:, shift]
    return blocks.reshape(-1)


def _wiener_gains(power: np.ndarray, noise: np.ndarray) -> np.ndarray:
    posterior = power / noise
    fresh = (1 - SMOOTHING) * np.maximum(posterior - 1, 0)
    gains = np.empty_like(power)
    previous = np.zeros(power.shape[1])
    for index in range(len(power)):
        prior = SMOOTHING * previous + fresh[index]
        gains[index] = np.maximum(prior / (1 + prior), MIN_GAIN)
        previous = gains[index] * gains[index] * posterior[index]
    return gains
