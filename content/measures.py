"""Numbers an article's sentences give: how long to hold, how many times to repeat. Pure."""

from __future__ import annotations

import re
from typing import Final

from .numbers import TENS, UNIT_WORDS, number_words, to_number

__all__ = ["HOLD_SENTENCE", "REPEAT_SENTENCE", "hold_seconds", "number_words", "repetitions", "to_number"]

_TENS_ALT, _UNITS_ALT = "|".join(TENS), "|".join(UNIT_WORDS[1:])
NUMBER: Final = rf"(?:\d+|(?:{_TENS_ALT})(?:[- ](?:{_UNITS_ALT}))?|{'|'.join(UNIT_WORDS)})"
# "Hold for a count of twenty to thirty", "hold for 30 seconds", "hold the stretch for one minute"
HOLD: Final = re.compile(
    rf"\bhold\b[^.]*?\bfor\b[^.]*?(?:count of\s+)?(?P<low>{NUMBER})(?:\s*(?:to|-|or)\s*(?P<high>{NUMBER}))?"
    r"\s*(?P<unit>seconds?|minutes?|counts?|breaths?)?",
    re.I,
)
REPEAT: Final = re.compile(rf"\b(?P<n>{NUMBER})\s+times\b", re.I)
# Sentences that say how long to hold or how many times to repeat, with or without a number.
HOLD_SENTENCE: Final = re.compile(
    r"\bhold\b[^.]*\b(count|seconds?|minutes?|breaths?)\b|\b(seconds?|minutes?|breaths?)\b", re.I
)
REPEAT_SENTENCE: Final = re.compile(r"\b(repeat|reps|repetitions|sets|times)\b", re.I)


def hold_seconds(sentence: str) -> int | None:
    """The upper bound of a hold, in seconds (a count is taken as seconds), or None."""
    found = HOLD.search(sentence)
    if not found:
        return None
    value = to_number(found.group("high") or found.group("low"))
    if value is None or value <= 0:
        return None
    return value * 60 if (found.group("unit") or "").lower().startswith("minute") else value


def repetitions(sentence: str) -> int | None:
    """How many times a sentence says to repeat ("Repeat sequence ten times" -> 10), or None."""
    found = REPEAT.search(sentence)
    return to_number(found.group("n")) if found else None
