"""Numbers an article's sentences give: how long to hold, how many times to repeat. Pure."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["hold_seconds", "number_words", "repetitions", "to_number"]

UNIT_WORDS: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TEN_WORDS: Final = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
UNITS: Final = {w: i for i, w in enumerate(UNIT_WORDS)}
TENS: Final = {w: 10 * i for i, w in enumerate(TEN_WORDS) if i > 1}
_TENS_ALT, _UNITS_ALT = "|".join(TENS), "|".join(UNIT_WORDS[1:])
NUMBER: Final = rf"(?:\d+|(?:{_TENS_ALT})(?:[- ](?:{_UNITS_ALT}))?|{'|'.join(UNIT_WORDS)})"
# "Hold for a count of twenty to thirty", "hold for 30 seconds", "hold the stretch for one minute"
HOLD: Final = re.compile(
    rf"\bhold\b[^.]*?\bfor\b[^.]*?(?:count of\s+)?(?P<low>{NUMBER})(?:\s*(?:to|-|or)\s*(?P<high>{NUMBER}))?"
    r"\s*(?P<unit>seconds?|minutes?|counts?|breaths?)?",
    re.I,
)
REPEAT: Final = re.compile(rf"\b(?P<n>{NUMBER})\s+times\b", re.I)


def number_words(n: int) -> str:
    """1 -> 'one', 42 -> 'forty-two'; from 100 on, digits (speech engines read those well)."""
    if 0 <= n < 20:
        return UNIT_WORDS[n]
    if 20 <= n < 100:
        return TEN_WORDS[n // 10] + ("" if n % 10 == 0 else "-" + UNIT_WORDS[n % 10])
    return str(n)


def to_number(words: str) -> int | None:
    """'thirty' -> 30, 'twenty-five' -> 25, '12' -> 12."""
    text = words.lower().strip()
    if text.isdigit():
        return int(text)
    parts = re.split(r"[- ]", text)
    if len(parts) == 1:
        return UNITS.get(parts[0], TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in TENS and parts[1] in UNITS:
        return TENS[parts[0]] + UNITS[parts[1]]
    return None


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
