"""Numbers as words, in one place: cardinals ("twenty-five") and ordinals ("third"). Pure.

Every layer reads and says numbers through this module: the articles' holds and repetitions,
the normaliser ("third step" -> "3"), the replies ("Step two of four") and the speech grammar.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ORDINAL_WORDS", "TENS", "TEN_WORDS", "UNITS", "UNIT_WORDS", "number_words", "to_number"]

UNIT_WORDS: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
TEN_WORDS: Final = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ORDINAL_WORDS: Final = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
"""ORDINAL_WORDS[n] is the n-th: as far as any article's steps go."""
UNITS: Final = {w: i for i, w in enumerate(UNIT_WORDS)}
TENS: Final = {w: 10 * i for i, w in enumerate(TEN_WORDS) if i > 1}


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
