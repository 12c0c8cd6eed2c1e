"""What to synthesise, checked and named: rates, voices, texts and the content-addressed id. Pure."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Final

from ..rates import WORDS_PER_MINUTE
from .errors import InvalidSpeechRequest

__all__ = [
    "DEFAULT_RATE",
    "MAX_RATE",
    "MAX_TEXT_CHARS",
    "MIN_RATE",
    "RATE_PRESETS",
    "RATE_STEPS",
    "SpeechJob",
    "check_voice",
    "is_audio_id",
    "normalize_text",
    "quantize_rate",
    "resolve_rate",
]


RATE_PRESETS: Final = WORDS_PER_MINUTE
"""Words per minute of each rate name (assistant/rates.py)."""


DEFAULT_RATE: Final = RATE_PRESETS["normal"]


MIN_RATE: Final = 80
"""espeak-ng's floor: it silently clamps anything slower to 80."""


MAX_RATE: Final = 320
"""Above this, step-by-step instructions stop being intelligible."""


RATE_STEPS: Final = (100, 130, 175, 230, 280)
"""The rates speech is actually made at: any requested rate is spoken at the nearest of these,
so variety in requested rates cannot multiply cached files (the presets, and one step beyond each end)."""


MAX_TEXT_CHARS: Final = 5000
"""Bounds one utterance (about 5 minutes of speech); the longest article section is far shorter."""


CACHE_FORMAT: Final = "speech-v1"
"""Hashed into every id: bump it when synthesis output changes, and old files are orphaned."""


AUDIO_ID_PATTERN: Final = re.compile(r"[0-9a-f]{64}")
"""A sha256 hex digest; nothing else may become a file name under the cache directory."""


VOICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_+/-]{1,64}")
"""espeak voice names such as "en-us", "gmw/en-us" or "en+f3"."""


RATE_TEXT_PATTERN: Final = re.compile(r"\d{1,3}(\.\d+)?")
"""A rate sent as text: plain decimal only (float() would also take "1_75", "nan", "1e2")."""


def resolve_rate(value: str | int | float | None, *, default: int) -> int:
    """Words per minute from a preset name ("slow", "normal", "fast"), a number, or `default`
    when None; raise InvalidSpeechRequest for anything else or outside MIN_RATE..MAX_RATE."""
    if value is None:
        value = default
    if isinstance(value, str):
        key = value.strip().lower()
        if key in RATE_PRESETS:
            return RATE_PRESETS[key]
        if not RATE_TEXT_PATTERN.fullmatch(key):
            raise InvalidSpeechRequest(_rate_problem(value))
        value = float(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSpeechRequest(_rate_problem(value))
    if not MIN_RATE <= value <= MAX_RATE:  # also False for NaN; no float() of a huge int (OverflowError)
        raise InvalidSpeechRequest(_rate_problem(value))
    return round(value)


def quantize_rate(rate: int) -> int:
    """The RATE_STEPS rate nearest `rate` (the slower one on a tie)."""
    return min(RATE_STEPS, key=lambda step: (abs(step - rate), step))


def _rate_problem(value: object) -> str:
    presets = ", ".join(RATE_PRESETS)
    return f"rate {value!r} is not one of {presets} or a number from {MIN_RATE} to {MAX_RATE}"


def normalize_text(text: str) -> str:
    """The text as it will be spoken: whitespace collapsed, so layout never changes the id."""
    if not isinstance(text, str):
        raise InvalidSpeechRequest(f"text must be a string, not {type(text).__name__}")
    spoken = " ".join(text.split())
    if not spoken:
        raise InvalidSpeechRequest("nothing to say: the text is empty")
    if len(spoken) > MAX_TEXT_CHARS:
        raise InvalidSpeechRequest(f"text is {len(spoken)} characters; at most {MAX_TEXT_CHARS}")
    return spoken


def check_voice(voice: str) -> str:
    """Return `voice` if it looks like an espeak voice name, else raise InvalidSpeechRequest."""
    if not isinstance(voice, str) or not VOICE_PATTERN.fullmatch(voice):
        raise InvalidSpeechRequest(f"voice {voice!r} is not a voice name like 'en-us'")
    return voice


def is_audio_id(value: object) -> bool:
    """True for exactly 64 lowercase hex digits: the only names allowed into the cache."""
    return isinstance(value, str) and AUDIO_ID_PATTERN.fullmatch(value) is not None


@dataclass(frozen=True)
class SpeechJob:
    """What to synthesise, and the id naming its files: sha256 of format, voice, rate, text."""

    text: str
    """Already normalised (see `normalize_text`)."""
    voice: str
    rate: int
    audio_id: str = field(init=False)

    def __post_init__(self) -> None:
        key = json.dumps([CACHE_FORMAT, self.voice, self.rate, self.text], ensure_ascii=False)
        object.__setattr__(self, "audio_id", hashlib.sha256(key.encode("utf-8")).hexdigest())

    def to_json(self) -> str:
        data = {"text": self.text, "voice": self.voice, "rate": self.rate}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes, *, audio_id: str) -> SpeechJob:
        """Parse a job file; raise ValueError unless it is well formed and hashes to `audio_id`."""
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("job file is not an object")
        text, voice, rate = data.get("text"), data.get("voice"), data.get("rate")
        if not (isinstance(text, str) and isinstance(voice, str) and type(rate) is int):
            raise ValueError("job file lacks text, voice or rate")
        job = cls(normalize_text(text), check_voice(voice), resolve_rate(rate, default=DEFAULT_RATE))
        if job.audio_id != audio_id:
            raise ValueError("job file does not match its id")
        return job
