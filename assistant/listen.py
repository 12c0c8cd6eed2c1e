"""Offline recognition of spoken commands: WAV bytes in, a Transcript out.

The decoder (pocketsphinx, en-US acoustic model) may only hear the command phrases it is
built from (a JSGF grammar, see `intents.grammar`), plus a "garbage" path of free phone
sequences: speech that is not a command (and noise) takes that path and gives an empty
transcript, so what was said is never forced onto the nearest command.

Bytes are checked before anything is decoded: not WAV -> 415, too big or too long -> 413,
damaged -> 400, always as a `ListenError` with a sentence a person can act on. Audio longer
than MAX_AUDIO_SECONDS is refused rather than cut: the end of a command is what matters
("go to step ... three"), so decoding only its beginning would act on the wrong words.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import pocketsphinx

from content.errors import AssistantError
from intents.grammar import word_graph

__all__ = [
    "MAX_AUDIO_BYTES",
    "MAX_AUDIO_SECONDS",
    "ListenError",
    "ListenSettings",
    "Recognizer",
    "Transcript",
    "accent_variants",
    "pronounce",
    "read_wav",
]

log = logging.getLogger(__name__)

# --- Limits and tuning -----------------------------------------------------------------

MAX_AUDIO_SECONDS: Final = 15
"""A spoken command takes a few seconds; this bounds decoding time (about 0.3 s per 2 s)."""
MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
"""15 s of 16-bit stereo at 48 kHz is 2.9 MB; anything much bigger is not a command."""
MODEL_RATE: Final = 16000
"""The acoustic model was trained on 16 kHz audio."""
MIN_SOURCE_RATE: Final = 4000
MAX_SOURCE_RATE: Final = 384000
"""Sample rates outside these are a damaged header, not a recording."""
MAX_CHANNELS: Final = 8
SILENCE_PEAK: Final = 10 ** (-60 / 20)
"""Nothing louder than -60 dBFS: a muted microphone, not speech. Not decoded at all."""
MIN_SPEECH_SECONDS: Final = 0.15
"""Shorter than the shortest command ("stop" at a fast rate): not worth decoding."""
TARGET_PEAK: Final = 0.5
"""Recordings are scaled to this peak so quiet microphones decode like loud ones."""
NOISE_FLOOR: Final = 10 ** (-50 / 20)
"""Comfort noise added under everything: digital silence (exact zeros, as synthesised or
noise-suppressed audio has) ruins the model's log-energy features; measured on espeak
voices, a floor 44 dB under the peak took command accuracy from 68% to 91%."""
NOISE_SEED: Final = 20240611
"""The floor is seeded so the same bytes always give the same transcript."""

# Decoder settings that differ from pocketsphinx's defaults.
DECODER_SETTINGS: Final = {
    "lm": None,  # no n-gram model: the grammar is the language model
    "bestpath": False,  # the lattice rescoring returns word strings outside the grammar
    "loglevel": "ERROR",
}
COMMANDS_SEARCH: Final = "commands"
PHONES_SEARCH: Final = "phones"

# WAVE format tags (the codes in a "fmt " chunk).
WAVE_PCM: Final = 0x0001
WAVE_FLOAT: Final = 0x0003
WAVE_EXTENSIBLE: Final = 0xFFFE
UNKNOWN_LENGTH: Final = 0xFFFFFFFF
"""Data size written by streaming encoders that never go back to fix the header."""

PLURAL_AFTER_SIBILANT: Final = frozenset("S Z SH ZH CH JH".split())
VOICELESS: Final = frozenset("P T K F TH".split())


class ListenError(AssistantError):
    """Audio we cannot decode; `status` is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
        """400 damaged recording, 413 too big or too long, 415 not a WAV file."""


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    """The command heard, in grammar words; "" when nothing was understood."""
    audio_seconds: float
    decode_ms: float
    """Time spent checking, converting and decoding, in milliseconds."""


@dataclass(frozen=True, slots=True, eq=False)
class Audio:
    samples: np.ndarray
    """Mono float64 samples in [-1, 1]."""
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


# --- Reading WAV (pure) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    tag: int
    channels: int
    rate: int
    width: int
    """Bytes per sample of one channel."""


def read_wav(data: bytes) -> Audio:
    """Parse RIFF/WAVE bytes (PCM 8/16/24/32-bit or float, any channels) into mono samples.
    Raise ListenError (413 too big or too long, 415 not WAV, 400 damaged)."""
    if len(data) > MAX_AUDIO_BYTES:
        raise ListenError(
            f"The recording is too large ({len(data) / 1e6:.1f} MB); send at most "
            f"{MAX_AUDIO_SECONDS} seconds of audio.",
            status=413,
        )
    fmt, payload = _chunks(data)
    frames = len(payload) // (fmt.channels * fmt.width)
    seconds = frames / fmt.rate
    if seconds > MAX_AUDIO_SECONDS:
        raise ListenError(
            f"The recording is {seconds:.0f} seconds long; say one command of at most "
            f"{MAX_AUDIO_SECONDS} seconds.",
            status=413,
        )
    samples = _decode_samples(payload[: frames * fmt.channels * fmt.width], fmt)
    mono = samples.reshape(frames, fmt.channels).mean(axis=1) if frames else samples[:0]
    return Audio(mono, fmt.rate)


def _chunks(data: bytes) -> tuple[_Format, bytes]:
    if len(data) < 12:
        if b"RIFF".startswith(data[:4]) and data:
            raise ListenError("The recording is cut short: its WAV header is incomplete.", status=400)
        raise ListenError(_NOT_WAV, status=415 if data else 400) if data else ListenError(
            "The recording is empty: no bytes were sent.", status=400
        )
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ListenError(_NOT_WAV, status=415)
    fmt: _Format | None = None
    position = 12
    while position + 8 <= len(data):
        name, size = data[position : position + 4], struct.unpack_from("<I", data, position + 4)[0]
        start = position + 8
        if name == b"fmt ":
            fmt = _parse_format(data[start : start + size])
        elif name == b"data":
            if fmt is None:
                raise ListenError("The WAV file is damaged: its audio comes before its format.", status=400)
            if size == UNKNOWN_LENGTH:
                size = len(data) - start
            if start + size > len(data):
                raise ListenError("The recording is cut short: the WAV file ends mid-audio.", status=400)
            return fmt, data[start : start + size]
        position = start + size + (size & 1)  # chunks are padded to even sizes
    raise ListenError("The recording is cut short: the WAV file has no audio data.", status=400)


_NOT_WAV: Final = "Send the recording as a WAV file (RIFF/WAVE, PCM or float samples)."


def _parse_format(body: bytes) -> _Format:
    if len(body) < 16:
        raise ListenError("The recording is cut short: its WAV format block is incomplete.", status=400)
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == WAVE_EXTENSIBLE:
        if len(body) < 26:
            raise ListenError("The WAV file is damaged: its extended format block is incomplete.", status=400)
        tag = struct.unpack_from("<H", body, 24)[0]  # first two bytes of the sub-format GUID
    if tag not in (WAVE_PCM, WAVE_FLOAT):
        raise ListenError(
            f"WAV encoding {tag:#06x} is not supported; send PCM or float samples.", status=415
        )
    if not (1 <= channels <= MAX_CHANNELS and MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE):
        raise ListenError(
            f"The WAV header is damaged: {channels} channels at {rate} Hz is not a recording.",
            status=400,
        )
    width = block_align // channels
    widths = (1, 2, 3, 4) if tag == WAVE_PCM else (4, 8)
    if block_align != width * channels or width not in widths or bits > 8 * width:
        raise ListenError(
            f"The WAV header is damaged or unsupported: {bits}-bit samples in {block_align}-byte "
            f"frames of {channels} channels.",
            status=415 if block_align == width * channels and bits <= 8 * width else 400,
        )
    return _Format(tag, channels, rate, width)


def _decode_samples(payload: bytes, fmt: _Format) -> np.ndarray:
    """Interleaved little-endian samples as float64 in [-1, 1]."""
    if fmt.tag == WAVE_FLOAT:
        raw = np.frombuffer(payload, dtype="<f4" if fmt.width == 4 else "<f8").astype(np.float64)
        return np.clip(np.nan_to_num(raw, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    if fmt.width == 1:
        return (np.frombuffer(payload, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if fmt.width == 3:
        triples = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        values = np.where(values >= 1 << 23, values - (1 << 24), values)
        return values.astype(np.float64) / float(1 << 23)
    dtype = "<i2" if fmt.width == 2 else "<i4"
    return np.frombuffer(payload, dtype=dtype).astype(np.float64) / float(1 << (8 * fmt.width - 1))


# --- Preparing audio for the model (pure) ------------------------------------------------


def resample(samples: np.ndarray, rate: int, target: int = MODEL_RATE) -> np.ndarray:
    """Band-limited resampling through the spectrum: exact low-pass, no aliasing."""
    if rate == target or not len(samples):
        return samples
    count = max(1, round(len(samples) * target / rate))
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(count // 2 + 1, dtype=complex)
    shared = min(len(spectrum), len(kept))
    kept[:shared] = spectrum[:shared]
    return np.fft.irfft(kept, count) * (count / len(samples))


def model_input(audio: Audio, *, min_range_db: float) -> bytes | None:
    """16-bit PCM at MODEL_RATE: denoised, scaled, over a comfort-noise floor. None when there
    is nothing to decode: too short, silent, or steady noise (loudest windows less than
    `min_range_db` above the quietest)."""
    if audio.seconds < MIN_SPEECH_SECONDS:
        return None
    samples = resample(audio.samples, audio.rate)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak < SILENCE_PEAK or loudness_range_db(samples) < min_range_db:
        return None
    samples = denoise(samples)
    peak = float(np.max(np.abs(samples))) or peak
    floor = np.random.default_rng(NOISE_SEED).standard_normal(len(samples)) * NOISE_FLOOR
    scaled = np.clip(samples * (TARGET_PEAK / peak) + floor, -1.0, 1.0)
    return (scaled * 32767).astype("<i2").tobytes()


LOUD_QUANTILE: Final = 0.9
"""The loud end of a recording: its 90th-percentile window (one click is not speech)."""


def loudness_range_db(samples: np.ndarray) -> float:
    """How far (dB) the loud windows stand above the quietest NOISE_QUANTILE of them."""
    count = len(samples) // STFT_SIZE
    if count < 2:
        return float("inf")  # too short to tell speech from noise: let the decoder judge
    energy = np.mean(samples[: count * STFT_SIZE].reshape(count, STFT_SIZE) ** 2, axis=1)
    quiet = float(np.mean(np.sort(energy)[: max(1, int(NOISE_QUANTILE * count))]))
    loud = float(np.quantile(energy, LOUD_QUANTILE))
    if quiet <= 0.0:
        return float("inf")  # exact zeros around a sound: no noise at all
    return 10 * float(np.log10(max(loud, quiet) / quiet))


STFT_SIZE: Final = 512
"""32 ms windows at 16 kHz: fine enough in frequency to tell noise from voice harmonics."""
STFT_HOP: Final = 128
"""Four windows overlap at every sample, so the filtered windows add back seamlessly."""
NOISE_QUANTILE: Final = 0.15
"""The quietest 15% of windows are taken as noise alone: a spoken command has pauses around it."""
SMOOTHING: Final = 0.98
"""Decision-directed estimate of each window's speech-to-noise ratio (Ephraim and Malah):
mostly the previous window's, which avoids the "musical" noise of plain spectral subtraction."""
MIN_GAIN: Final = 0.1
"""Attenuate noise by at most 20 dB: removing more also removes the quiet speech sounds."""
DIGITAL_SILENCE: Final = 1e-9
"""Mean window energy below which the quiet windows are exact zeros: nothing to remove."""


def denoise(samples: np.ndarray) -> np.ndarray:
    """Wiener-filter stationary background noise (fans, hiss, hum) out of `samples`.

    Measured on espeak voices with white noise at 10 dB SNR: command accuracy 42% -> 77%.
    """
    if len(samples) < STFT_SIZE:
        return samples
    window = np.hanning(STFT_SIZE + 1)[:-1]
    padded = np.concatenate([np.zeros(STFT_SIZE), samples, np.zeros(STFT_SIZE)])
    count = 1 + (len(padded) - STFT_SIZE) // STFT_HOP
    starts = STFT_HOP * np.arange(count)
    spectra = np.fft.rfft(padded[starts[:, None] + np.arange(STFT_SIZE)] * window, axis=1)
    power = np.abs(spectra) ** 2
    energy = power.sum(axis=1)
    quiet = np.argsort(energy)[: max(1, int(NOISE_QUANTILE * count))]
    if energy[quiet].mean() < DIGITAL_SILENCE:
        return samples
    noise = power[quiet].mean(axis=0) + DIGITAL_SILENCE
    gains = np.empty_like(power)
    previous = np.zeros(power.shape[1])
    for index in range(count):
        posterior = power[index] / noise
        prior = SMOOTHING * previous + (1 - SMOOTHING) * np.maximum(posterior - 1, 0)
        gains[index] = np.maximum(prior / (1 + prior), MIN_GAIN)
        previous = gains[index] ** 2 * posterior
    frames = np.fft.irfft(spectra * gains, STFT_SIZE, axis=1) * window
    out = np.zeros(len(padded))
    weight = np.zeros(len(padded))
    for start, frame in zip(starts, frames, strict=True):
        out[start : start + STFT_SIZE] += frame
        weight[start : start + STFT_SIZE] += window**2
    return (out / np.maximum(weight, DIGITAL_SILENCE))[STFT_SIZE : STFT_SIZE + len(samples)]


# --- Pronunciations (pure over a dictionary lookup) ----------------------------------------

Lookup = Callable[[str], "str | None"]


def pronounce(word: str, lookup: Lookup) -> str | None:
    """Phones for `word`: from the dictionary, else as a compound of dictionary words
    ("multidirectional" = multi + directional), else as a plural of one; None if unknown."""
    known = lookup(word)
    if known:
        return known
    compound = _compound(word, lookup)
    if compound:
        return compound
    if len(word) > 3 and word.endswith("s"):
        stem = lookup(word[:-1]) or _compound(word[:-1], lookup)
        if stem:
            last = stem.split()[-1]
            ending = "IH Z" if last in PLURAL_AFTER_SIBILANT else "S" if last in VOICELESS else "Z"
            return f"{stem} {ending}"
    return None


MIN_PART_CHARS: Final = 3
"""Compound parts shorter than this ("a", "in") split almost any word into nonsense."""


def _compound(word: str, lookup: Lookup) -> str | None:
    """Fewest dictionary words that spell `word`, joined; None if there is no such split."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(MIN_PART_CHARS, len(word) + 1):
        for start in range(0, end - MIN_PART_CHARS + 1):
            before = best[start]
            if before is None or (end - start == len(word)):
                continue
            phones = lookup(word[start:end])
            if phones and (best[end] is None or len(before) + 1 < len(best[end])):
                best[end] = [*before, phones]
    parts = best[len(word)]
    return " ".join(parts) if parts else None


VOWELS: Final = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
R_DROPPED_AFTER: Final = frozenset("AA AO ER".split())
"""Non-rhotic English drops R after these vowels ("start" S T AA T, "four" F AO); after
other vowels the R becomes a schwa ("here" HH IY AH)."""


BATH_NEXT: Final = frozenset({("S",), ("F",), ("TH",), ("N", "T"), ("N", "S"), ("N", "CH")})
"""What follows the vowel of "last", "after", "bath", "can't", "dance": British says AA there."""


def accent_variants(word: str, phones: str) -> tuple[str, ...]:
    """British pronunciations the (American) dictionary lacks: no R before a consonant or at
    the end ("timer" T AY M AH), and for words spelt with "o" the rounded LOT vowel ("stop"
    S T AO P), and the long BATH vowel ("last" L AA S T). Measured on espeak's British voices:
without them "start" and "last" were often heard as "stop" and "author"."""
    said = phones.split()
    plain = _without_r(said)
    found = [plain] if plain != said else []
    if "o" in word and "AA" in plain:
        found.append(["AO" if phone == "AA" else phone for phone in plain])
    bath = [
        "AA" if phone == "AE" and _followed_by(plain, position, BATH_NEXT) else phone
        for position, phone in enumerate(plain)
    ]
    if bath != plain:
        found.append(bath)
    return tuple(" ".join(variant) for variant in found)


def _followed_by(said: list[str], position: int, endings: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(said[position + 1 : position + 1 + len(e)]) == e for e in endings)


def _without_r(said: list[str]) -> list[str]:
    out = []
    for position, phone in enumerate(said):
        before_vowel = position + 1 < len(said) and said[position + 1] in VOWELS
        if phone == "ER" and not before_vowel:
            out.append("AH")
        elif phone == "R" and position and said[position - 1] in VOWELS and not before_vowel:
            if said[position - 1] not in R_DROPPED_AFTER:
                out.append("AH")
        else:
            out.append(phone)
    return out


MAX_ALTERNATIVES: Final = 9
"""The dictionary numbers alternative pronunciations "word(2)", "word(3)", ..."""


def _pronunciations(word: str, lookup: Lookup) -> Iterable[str]:
    for number in range(1, MAX_ALTERNATIVES + 1):
        phones = lookup(word if number == 1 else f"{word}({number})")
        if phones is None:
            return
        yield phones


# --- The recogniser (the adapter around pocketsphinx) ------------------------------------

@dataclass(frozen=True, slots=True)
class ListenSettings:
    """How readily speech is taken for a command. Calibrated with `python -m benchmarks.voice_eval`
    on espeak voices; config may override them."""

    min_confidence: float = -26.0
    """Least acoustic fit of the command heard, per frame of speech, relative to the best
    sequence of free phones (log base 1.0001). Commands said score about -17 (5% below -25);
    other speech about -37 (5% above -27): below this it was not a command."""
    min_speech_range_db: float = 8.0
    """Loudest windows must stand this far above the quietest: steady noise (fan, hiss) spans
    under 6 dB, a command said over noise at 10 dB SNR over 11 dB."""


class Recognizer:
    """One pocketsphinx decoder over the command grammar; `transcribe` is thread-safe.

    Each recording is decoded twice: once constrained to the command phrases, once as free
    phones. How much worse the commands fit than free phones says whether a command was
    said at all; without that check any speech would come out as the nearest command.
    """

    def __init__(self, phrases: Iterable[str], *, settings: ListenSettings | None = None) -> None:
        self.settings = settings or ListenSettings()
        self._decoder = pocketsphinx.Decoder(**DECODER_SETTINGS)
        usable = self._add_words(tuple(dict.fromkeys(" ".join(p.split()) for p in phrases if p.strip())))
        if not usable:
            raise AssistantError("speech recognition needs at least one pronounceable phrase")
        graph = word_graph(usable)
        transitions = [
            (a.source, a.target, a.probability) if a.word is None else (a.source, a.target, a.probability, a.word)
            for a in graph.arcs
        ]
        self._grammar = self._decoder.create_fsg(COMMANDS_SEARCH, graph.start, graph.final, transitions)
        self._decoder.add_fsg(COMMANDS_SEARCH, self._grammar)
        self._decoder.add_allphone_file(PHONES_SEARCH, None)
        self._logmath = self._decoder.get_logmath()
        self._lock = threading.Lock()
        self.phrases: tuple[str, ...] = usable
        """The phrases the decoder can hear (those whose every word could be pronounced)."""

    def _add_words(self, phrases: tuple[str, ...]) -> tuple[str, ...]:
        """Add words missing from the dictionary and accent variants of every word;
        return the phrases left pronounceable."""
        lookup = self._decoder.lookup_word
        unknown: set[str] = set()
        for word in sorted({w for p in phrases for w in p.split()}):
            if not lookup(word):
                phones = pronounce(word, lookup)
                if phones is None:
                    unknown.add(word)
                    continue
                log.debug("pronouncing %r as %s", word, phones)
                self._decoder.add_word(word, phones, False)
            self._add_variants(word)
        if unknown:
            log.warning("cannot pronounce %s: phrases with them will not be heard", sorted(unknown))
        return tuple(p for p in phrases if unknown.isdisjoint(p.split()))

    def _add_variants(self, word: str) -> None:
        known = list(_pronunciations(word, self._decoder.lookup_word))
        for phones in known.copy():
            for variant in accent_variants(word, phones):
                if variant not in known:
                    known.append(variant)
                    self._decoder.add_word(f"{word}({len(known)})", variant, False)

    def transcribe(self, data: bytes) -> Transcript:
        """What was said in a WAV recording ("" if no command); ListenError for bad bytes."""
        started = time.perf_counter()
        audio = read_wav(bytes(data))
        pcm = model_input(audio, min_range_db=self.settings.min_speech_range_db)
        heard = self.hear(pcm) if pcm is not None else Heard("", None)
        text = heard.text if heard.confidence is not None and heard.confidence >= self.settings.min_confidence else ""
        elapsed = (time.perf_counter() - started) * 1000
        log.debug(
            "heard %r (best command %r, confidence %s) in %.1f s of audio, %.0f ms",
            text, heard.text, heard.confidence, audio.seconds, elapsed,
        )
        return Transcript(text, audio.seconds, elapsed)

    def hear(self, pcm: bytes) -> Heard:
        """The command that fits 16 kHz 16-bit `pcm` best, and how well (before any cut-off)."""
        with self._lock:
            try:
                command = self._search(COMMANDS_SEARCH, pcm)
                if command is None or not self._grammar.accept(command.text):
                    return Heard("", None)
                phones = self._search(PHONES_SEARCH, pcm)
            except RuntimeError as exc:  # the decoder's own failure, not the caller's bytes
                log.warning("speech decoding failed: %s", exc)
                return Heard("", None)
        if phones is None or not command.frames:
            return Heard(command.text, None)
        return Heard(command.text, (command.score - phones.score) / command.frames)

    def _search(self, name: str, pcm: bytes) -> _Path | None:
        self._decoder.activate_search(name)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        if hypothesis is None:  # the search never reached the end of a phrase
            return None
        return _Path(hypothesis.hypstr, self._logmath.log(hypothesis.best_score), self._decoder.n_frames())


@dataclass(frozen=True, slots=True)
class Heard:
    text: str
    """The best command phrase, "" when the search found none."""
    confidence: float | None
    """Fit of that phrase relative to free phones, per 10 ms frame; None if unknown."""


@dataclass(frozen=True, slots=True)
class _Path:
    text: str
    score: int
    """Log-likelihood of the best path (log base 1.0001, acoustic and grammar)."""
    frames: int
    """Length of the recording in 10 ms frames."""
