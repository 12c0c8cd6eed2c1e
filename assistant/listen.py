"""Offline recognition of spoken commands: WAV bytes in, a Transcript out.

pocketsphinx (its en-US acoustic model and dictionary) decodes each recording twice: once
constrained to the command phrases (a word graph built by `intents.grammar`), once as free
phones. How much worse the best command fits than free phones is the confidence: speech
that is no command fits free phones far better, and comes back as "" ("I didn't catch
that") instead of as the nearest command. Silence and steady noise are not decoded at all.
`command_recognizer` adds a graph for each situation of the conversation, given as data
(`assistant.conversation.LISTENING`): without the commands that mean nothing there, favouring
the likely ones.

Bytes are checked before anything is decoded: not WAV -> 415, too big or too long -> 413,
damaged -> 400, always as a `ListenError` whose message a person can act on. Audio longer
than MAX_AUDIO_SECONDS is refused rather than cut: the end of a command matters as much as
its beginning ("go to step ... three"), so decoding a part could act on the wrong words.

Layers: reading WAV, preparing audio and pronouncing words are pure functions; `Recognizer`
is the thin adapter that owns the decoder. Tuning figures below were measured with
`python -m benchmarks.voice_eval` on espeak-ng voices.
"""

from __future__ import annotations

import contextlib
import logging
import math
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import numpy as np
import pocketsphinx

from content import Library
from content.errors import AssistantError
from intents import Intent
from intents.grammar import command_phrases, weighted_phrases, word_graph

__all__ = [
    "MAX_AUDIO_BYTES",
    "MAX_AUDIO_SECONDS",
    "Audio",
    "Heard",
    "ListenError",
    "ListenSettings",
    "Recognizer",
    "ListeningRule",
    "Transcript",
    "accent_variants",
    "command_recognizer",
    "model_input",
    "pronounce",
    "read_wav",
]

log = logging.getLogger(__name__)

MAX_AUDIO_SECONDS: Final = 15
"""A spoken command takes a few seconds; this bounds the decoding time of one request."""
MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
"""15 s of 16-bit stereo at 48 kHz is 2.9 MB; anything much bigger is not one command."""


class ListenError(AssistantError):
    """Audio we cannot decode; `status` is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status
        """400 damaged recording, 413 too big or too long, 415 not a WAV file."""


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    """The command heard, in the grammar's words; "" when nothing was understood."""
    audio_seconds: float
    decode_ms: float
    """Time spent reading, preparing and decoding the recording, in milliseconds."""


@dataclass(frozen=True, slots=True, eq=False)
class Audio:
    samples: np.ndarray
    """Mono float64 samples in [-1, 1]."""
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


# --- Reading WAV (pure) -------------------------------------------------------------------

WAVE_PCM: Final = 0x0001
WAVE_FLOAT: Final = 0x0003
WAVE_EXTENSIBLE: Final = 0xFFFE
"""Format tags of a "fmt " chunk; extensible ones carry the real tag in a sub-format GUID."""
UNKNOWN_LENGTH: Final = 0xFFFFFFFF
"""Data size written by streaming encoders that never go back to fix the header."""
MIN_SOURCE_RATE: Final = 4000
MAX_SOURCE_RATE: Final = 384000
"""Sample rates outside these are a damaged header, not a recording."""
MAX_CHANNELS: Final = 8
NOT_WAV: Final = "Send the recording as a WAV file (RIFF/WAVE with PCM or float samples)."


@dataclass(frozen=True, slots=True)
class _Format:
    tag: int
    channels: int
    rate: int
    width: int
    """Bytes per sample of one channel."""


def read_wav(data: bytes) -> Audio:
    """Parse RIFF/WAVE bytes (PCM 8/16/24/32-bit or float 32/64, any channels, any rate)
    into mono samples. Raise ListenError: 413 too big or too long, 415 not WAV, 400 damaged."""
    if len(data) > MAX_AUDIO_BYTES:
        raise ListenError(
            f"The recording is too large ({len(data) / 1e6:.1f} MB); send at most "
            f"{MAX_AUDIO_SECONDS} seconds of audio.",
            status=413,
        )
    fmt, payload = _chunks(data)
    frame_bytes = fmt.channels * fmt.width
    frames = len(payload) // frame_bytes
    if frames / fmt.rate > MAX_AUDIO_SECONDS:
        raise ListenError(
            f"The recording is {frames / fmt.rate:.0f} seconds long; say one command in at most "
            f"{MAX_AUDIO_SECONDS} seconds.",
            status=413,
        )
    samples = _decode_samples(payload[: frames * frame_bytes], fmt)
    return Audio(samples.reshape(frames, fmt.channels).mean(axis=1), fmt.rate)


def _chunks(data: bytes) -> tuple[_Format, bytes]:
    """The format and the audio bytes of a RIFF/WAVE file."""
    if not data:
        raise ListenError("The recording is empty: no bytes were sent.", status=400)
    if len(data) < 12 and b"RIFF".startswith(data[:4]):
        raise ListenError("The recording is cut short: its WAV header is incomplete.", status=400)
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ListenError(NOT_WAV, status=415)
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
                raise ListenError("The recording is cut short: the WAV file ends inside its audio.", status=400)
            return fmt, data[start : start + size]
        position = start + size + (size & 1)  # chunks are padded to an even size
    raise ListenError("The recording is cut short: the WAV file has no audio in it.", status=400)


def _parse_format(body: bytes) -> _Format:
    if len(body) < 16:
        raise ListenError("The recording is cut short: its WAV format block is incomplete.", status=400)
    tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", body)
    if tag == WAVE_EXTENSIBLE:
        if len(body) < 26:
            raise ListenError("The WAV file is damaged: its extended format block is incomplete.", status=400)
        tag = struct.unpack_from("<H", body, 24)[0]
    if tag not in (WAVE_PCM, WAVE_FLOAT):
        raise ListenError(f"WAV encoding {tag:#06x} is not supported; send PCM or float samples.", status=415)
    if not (1 <= channels <= MAX_CHANNELS and MIN_SOURCE_RATE <= rate <= MAX_SOURCE_RATE):
        raise ListenError(f"The WAV header is damaged: {channels} channels at {rate} Hz.", status=400)
    width = block_align // channels
    if block_align != width * channels or width == 0:
        raise ListenError(f"The WAV header is damaged: {block_align}-byte frames of {channels} channels.", status=400)
    if width not in ((1, 2, 3, 4) if tag == WAVE_PCM else (4, 8)) or bits > 8 * width:
        raise ListenError(f"Samples of {bits} bits in {width} bytes are not supported; send 16-bit PCM.", status=415)
    return _Format(tag, channels, rate, width)


def _decode_samples(payload: bytes, fmt: _Format) -> np.ndarray:
    """Interleaved little-endian samples as float64 in [-1, 1]."""
    if fmt.tag == WAVE_FLOAT:
        raw = np.frombuffer(payload, dtype="<f4" if fmt.width == 4 else "<f8").astype(np.float64)
        return np.clip(np.nan_to_num(raw, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    if fmt.width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(payload, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if fmt.width == 3:
        triples = np.frombuffer(payload, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return np.where(values >= 1 << 23, values - (1 << 24), values).astype(np.float64) / float(1 << 23)
    dtype = "<i2" if fmt.width == 2 else "<i4"
    return np.frombuffer(payload, dtype=dtype).astype(np.float64) / float(1 << (8 * fmt.width - 1))


# --- Preparing audio for the model (pure) ------------------------------------------------

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


# --- Pronunciations (pure, over a dictionary lookup) ----------------------------------------

Lookup = Callable[[str], "str | None"]
"""A pronouncing dictionary: word -> space-separated CMU phones, or None."""

MIN_PART_CHARS: Final = 3
"""Compound parts shorter than this ("a", "in") split almost any word into nonsense."""
SIBILANTS: Final = frozenset("S Z SH ZH CH JH".split())
VOICELESS: Final = frozenset("P T K F TH".split())
VOWELS: Final = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
R_DROPPED_AFTER: Final = frozenset("AA AO ER".split())
"""Non-rhotic English drops R after these vowels ("start" S T AA T, "four" F AO); after
other vowels the R becomes a schwa ("here" HH IY AH)."""
BATH_NEXT: Final = frozenset({("S",), ("F",), ("TH",), ("N", "T"), ("N", "S"), ("N", "CH")})
"""What follows the vowel of "last", "after", "bath", "can't", "dance": British says AA there."""
MAX_ALTERNATIVES: Final = 9
"""The dictionary numbers alternative pronunciations "word(2)", "word(3)", ..."""


def pronounce(word: str, lookup: Lookup) -> str | None:
    """Phones for `word`: from the dictionary, else as the fewest dictionary words that spell
    it ("multidirectional" = multi + directional), else as a plural of one; None if unknown."""
    found = lookup(word) or _compound(word, lookup)
    if found is not None or len(word) <= MIN_PART_CHARS or not word.endswith("s"):
        return found
    stem = lookup(word[:-1]) or _compound(word[:-1], lookup)
    if stem is None:
        return None
    last = stem.split()[-1]
    return f"{stem} {'IH Z' if last in SIBILANTS else 'S' if last in VOICELESS else 'Z'}"


def _compound(word: str, lookup: Lookup) -> str | None:
    """The fewest dictionary words (of MIN_PART_CHARS or more) that spell `word`, joined."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(MIN_PART_CHARS, len(word) + 1):
        for start in range(end - MIN_PART_CHARS + 1):
            before, current = best[start], best[end]
            if before is None or end - start == len(word):
                continue  # no way to spell what comes before, or not a compound at all
            phones = lookup(word[start:end])
            if phones and (current is None or len(before) + 1 < len(current)):
                best[end] = [*before, phones]
    parts = best[len(word)]
    return " ".join(parts) if parts else None


def accent_variants(word: str, phones: str) -> tuple[str, ...]:
    """British pronunciations the American dictionary lacks: no R before a consonant or at the
    end ("timer" T AY M AH), the rounded LOT vowel in words spelt with "o" ("stop" S T AO P),
    the long BATH vowel ("last" L AA S T) and the open TRAP vowel ("back" B AA K: British,
    Scottish and Caribbean English say /a/, nearer the American model's AA than its AE).
    Without them espeak's British voices' "start" and "last" were mostly heard as "stop" and
    "author"; without the TRAP vowel, "go back" as "abort" or "go ahead" (56% right on six
    voices at 175 wpm; 94% with it) and "thank you" as "undo" (72%; 100%)."""
    said = phones.split()
    plain = _without_r(said)
    found = [plain] if plain != said else []
    if "o" in word and "AA" in plain:
        found.append(["AO" if phone == "AA" else phone for phone in plain])
    bath = ["AA" if p == "AE" and _followed_by(plain, i, BATH_NEXT) else p for i, p in enumerate(plain)]
    trap = ["AA" if p == "AE" else p for p in plain]
    found += [variant for variant in (bath, trap) if variant != plain]
    return tuple(dict.fromkeys(" ".join(variant) for variant in found))


def _without_r(said: list[str]) -> list[str]:
    out = []
    for position, phone in enumerate(said):
        before_vowel = position + 1 < len(said) and said[position + 1] in VOWELS
        after_vowel = position > 0 and said[position - 1] in VOWELS
        if phone == "ER" and not before_vowel:
            out.append("AH")
        elif phone == "R" and after_vowel and not before_vowel:
            if said[position - 1] not in R_DROPPED_AFTER:
                out.append("AH")
        else:
            out.append(phone)
    return out


def _followed_by(said: list[str], position: int, endings: frozenset[tuple[str, ...]]) -> bool:
    return any(tuple(said[position + 1 : position + 1 + len(e)]) == e for e in endings)


def _pronunciations(word: str, lookup: Lookup) -> Iterator[str]:
    for number in range(1, MAX_ALTERNATIVES + 1):
        phones = lookup(word if number == 1 else f"{word}({number})")
        if phones is None:
            return
        yield phones


# --- The recogniser (the adapter around pocketsphinx) ---------------------------------------

LIKELIER: Final = 10.0
"""How much likelier a situation's likelier intents are than the rest. With a language weight
of 7, on six voices at 175 wpm with no confidence cut, commands (with "speak slower" and
"thank you" said while guiding) were 91.7% at 1 (no preference), 92.6% at 10 and 30, 92.3%
at 100; but "thank you" said while guiding fell from 89% to 72%, 56% and 50% ("undo"), so 10.
Exercise requests, switches mid-exercise included, were 93.9% at all four."""
DECODER_SETTINGS: Final = {
    "lm": None,  # no n-gram model: the command graph is the language model
    "bestpath": False,  # its lattice rescoring returns word strings outside the graph
    "loglevel": "FATAL",  # its per-utterance complaints are handled here, as outcomes
    # Wider beams than the defaults (1e-48, 7e-29, 1e-48): with thousands of phrases sharing
    # their first words, the default beams pruned the right phrase early (a high voice's
    # "stop the timer", which fits far better than what was heard) or every phrase (nothing
    # heard). Six voices at 175 wpm: commands 86.5% -> 89.6%; decoding p50 +10 to 20 ms.
    "beam": 1e-64,
    "wbeam": 1e-40,
    "pbeam": 1e-64,
}
"""pocketsphinx settings that differ from its defaults (and from the model's feat.params)."""
COMMANDS_SEARCH: Final = "commands"
PHONES_SEARCH: Final = "phones"
NOT_WORDS: Final = ("<", "[", "(")
"""Segment labels that are silence, noise or empty transitions, not words."""


@dataclass(frozen=True, slots=True)
class ListenSettings:
    """How readily speech is taken for a command; config may override these."""

    min_confidence: float = -1400.0
    """Least fit to the sounds of the best command relative to free phones (acoustic scores
    only, log base 1.0001), over the square root of its phones: score differences add up phone
    by phone and their spread grows as the square root of the count, so short commands are not
    judged by a noisier average; and the grammar's preferences, which differ by situation and
    by library, do not move it. Chosen on the espeak test set of `python -m
    benchmarks.voice_eval` (3,060 decodes, guidance favoured a hundredfold): from -1600 to
    -1400 every command that would be understood is kept (90.8 to 90.9%) while other speech
    kept out rises from 65% to 84%; exercise requests go from 91.4% to 90.1%. Higher rejects
    more of both: at -1300 commands 90.3%, exercise requests 88.4%, other speech 88%."""
    language_weight: float = 7.0
    """How much the phrases' likelihoods count against how well they fit the sounds: each
    grammar probability is raised to this power (pocketsphinx's `create_fsg` uses 1, under
    which even a millionfold preference moved nothing; its n-gram default is 6.5)."""
    min_speech_range_db: float = 8.0
    """The loud windows must stand this far above the quiet ones to be worth decoding: steady
    noise spans under 6 dB, a command said over noise at 10 dB SNR over 11 dB."""


@dataclass(frozen=True, slots=True)
class Heard:
    text: str
    """The best command phrase, "" when the search reached none."""
    confidence: float | None
    """Its fit relative to free phones over the square root of its phones (see ListenSettings);
    None when there is nothing to compare."""


@dataclass(frozen=True, slots=True)
class _Path:
    text: str
    sounds: int
    """How well the best path fits the sounds alone (its acoustic score, log base 1.0001):
    not how likely the grammar makes it, which differs between situations and libraries."""


class Recognizer:
    """One pocketsphinx decoder for the command phrases; `transcribe` is thread-safe (one
    request decodes at a time; a 2-second command takes about 0.1 to 0.2 s)."""

    def __init__(
        self,
        phrases: Iterable[str],
        *,
        subsets: Mapping[str, Iterable[str] | Mapping[str, float]] | None = None,
        settings: ListenSettings | None = None,
    ) -> None:
        """Build the decoder once: words missing from its dictionary are added (or their
        phrases left out, logged), then the phrases' word graph and a free-phone search.
        Each of `subsets` (a name and some of `phrases`, or a mapping of them to how likely
        each is said) gets a word graph of its own, for `transcribe(..., subset=name)` to
        listen for those phrases alone."""
        self.settings = settings or ListenSettings()
        self._decoder = pocketsphinx.Decoder(**DECODER_SETTINGS)
        wanted = tuple(dict.fromkeys(_words(p) for p in phrases if p.strip()))
        self.phrases: tuple[str, ...] = self._add_words(wanted)
        """The phrases it can hear: those whose every word it can pronounce."""
        if not self.phrases:
            raise AssistantError("speech recognition needs at least one phrase it can pronounce")
        self._grammars: dict[str | None, tuple[str, pocketsphinx.FsgModel]] = {}
        self._grammars[None] = self._add_grammar(COMMANDS_SEARCH, self.phrases)
        hearable = frozenset(self.phrases)
        for name, chosen in (subsets or {}).items():
            weights = chosen if isinstance(chosen, Mapping) else dict.fromkeys(chosen, 1.0)
            some = {_words(p): w for p, w in weights.items() if _words(p) in hearable}
            if not some:
                raise AssistantError(f"the phrases of {name!r} include none that speech recognition can hear")
            self._grammars[name] = self._add_grammar(f"{COMMANDS_SEARCH}:{name}", some)
        self._decoder.add_allphone_file(PHONES_SEARCH, None)
        self._lock = threading.Lock()

    def _add_grammar(
        self, search: str, phrases: Iterable[str] | Mapping[str, float]
    ) -> tuple[str, pocketsphinx.FsgModel]:
        """A search over `phrases`, each as likely as its weight says when it has one."""
        graph = word_graph(phrases, phrases if isinstance(phrases, Mapping) else None)
        scale = self.settings.language_weight  # pocketsphinx's create_fsg weighs grammar probabilities at 1
        transitions = [
            (a.source, a.target, a.probability**scale)
            if a.word is None
            else (a.source, a.target, a.probability**scale, a.word)
            for a in graph.arcs
        ]
        grammar = self._decoder.create_fsg(search, graph.start, graph.final, transitions)
        self._decoder.add_fsg(search, grammar)
        return search, grammar

    def _grammar(self, subset: str | None) -> tuple[str, pocketsphinx.FsgModel]:
        if subset not in self._grammars:
            raise ValueError(f"no subset of phrases is called {subset!r}")
        return self._grammars[subset]

    def transcribe(self, data: bytes, *, subset: str | None = None) -> Transcript:
        """The command said in a WAV recording, "" if none; ListenError for bytes it cannot read.
        With `subset`, only that subset's phrases are listened for."""
        self._grammar(subset)  # an unknown subset is the caller's mistake, whatever the audio
        started = time.perf_counter()
        audio = read_wav(bytes(data))
        pcm = model_input(audio, min_range_db=self.settings.min_speech_range_db)
        heard = self.hear(pcm, subset=subset) if pcm is not None else Heard("", None)
        sure = heard.confidence is not None and heard.confidence >= self.settings.min_confidence
        elapsed = (time.perf_counter() - started) * 1000
        log.debug(
            "heard %r (best command %r, confidence %s, cut-off %s) in %.2f s of audio, %.0f ms",
            heard.text if sure else "",
            heard.text,
            heard.confidence,
            self.settings.min_confidence,
            audio.seconds,
            elapsed,
        )
        return Transcript(heard.text if sure else "", audio.seconds, elapsed)

    def hear(self, pcm: bytes, *, subset: str | None = None) -> Heard:
        """The command phrase (of `subset`, if given) that fits 16 kHz 16-bit `pcm` best, and
        how well (no cut-off)."""
        if len(pcm) < 2:
            return Heard("", None)
        search, grammar = self._grammar(subset)
        with self._lock:
            try:
                command = self._search(search, pcm)
                if command is None or not grammar.accept(command.text):
                    return Heard("", None)
                phones = self._phones_said()
                free = self._search(PHONES_SEARCH, pcm)
            except RuntimeError as error:  # the decoder's own failure, not the caller's bytes
                log.warning("speech decoding failed: %s", error)
                with contextlib.suppress(RuntimeError):
                    self._decoder.end_utt()  # so the next request can start afresh
                return Heard("", None)
        if free is None or not phones:
            return Heard(command.text, None)
        return Heard(command.text, (command.sounds - free.sounds) / math.sqrt(phones))

    def _search(self, name: str, pcm: bytes) -> _Path | None:
        decoder = self._decoder
        decoder.activate_search(name)
        # Feature extraction afresh: pocketsphinx otherwise carries its cepstral mean and noise
        # estimate over from the last utterance, so a transcript would depend on the request before.
        decoder.reinit_feat()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        if hypothesis is None:  # the search never reached the end of a phrase
            return None
        logmath = decoder.get_logmath()
        sounds = sum(logmath.log(segment.ascore) for segment in decoder.seg() or ())  # log(0): its floor
        return _Path(hypothesis.hypstr, sounds)

    def _phones_said(self) -> int:
        """Phones in the words of the last search's best path, as pronounced there."""
        words = [s.word for s in self._decoder.seg() or () if not s.word.startswith(NOT_WORDS)]
        return sum(len((self._decoder.lookup_word(w) or "").split()) for w in words)

    def _add_words(self, phrases: tuple[str, ...]) -> tuple[str, ...]:
        """Add missing words and British variants of every word; return the phrases left."""
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
            log.info("cannot pronounce %s: phrases with them will not be heard", sorted(unknown))
        return tuple(p for p in phrases if unknown.isdisjoint(p.split()))

    def _add_variants(self, word: str) -> None:
        known = list(_pronunciations(word, self._decoder.lookup_word))
        for phones in known.copy():
            for variant in accent_variants(word, phones):
                if variant not in known:
                    known.append(variant)
                    self._decoder.add_word(f"{word}({len(known)})", variant, False)


def _words(phrase: str) -> str:
    return " ".join(phrase.split())


class ListeningRule(Protocol):
    """What a spoken command may mean in one situation of the conversation."""

    unsaid: frozenset[Intent]
    likelier: frozenset[Intent]


def command_recognizer(
    phrasings: Mapping[Intent, tuple[str, ...]],
    library: Library,
    situations: Mapping[str, ListeningRule] | None = None,
    *,
    settings: ListenSettings | None = None,
) -> Recognizer:
    """A recogniser for every command about `library`, with the phrases of each of `situations`
    as a subset (pass the situation's name, `Turn.listening`, to `transcribe`)."""
    subsets = {
        name: weighted_phrases(
            phrasings, library, without=listening.unsaid, likelier=listening.likelier, boost=LIKELIER
        )
        for name, listening in (situations or {}).items()
    }
    return Recognizer(command_phrases(phrasings, library), subsets=subsets, settings=settings)
