"""Speaking rate, one meaning everywhere: a conversation's rate is a name, speech makes it words per minute.

The page's speed control sets the conversation's rate (POST /api/chat "rate": "slow"), "slower"
and "faster" step along RATE_NAMES, and every reply says the rate now in force ("rate").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["DEFAULT_RATE_NAME", "RATE_NAMES", "WORDS_PER_MINUTE", "words_per_minute"]

RATE_NAMES: Final = ("slow", "normal", "fast")
"""Slowest first: "slower" and "faster" move one place along it."""
DEFAULT_RATE_NAME: Final = "normal"
WORDS_PER_MINUTE: Final[Mapping[str, int]] = MappingProxyType({"slow": 130, "normal": 175, "fast": 230})
""""normal" is espeak-ng's own default, the others are clearly distinct."""


def words_per_minute(name: str) -> int:
    """The words per minute of a rate name; the default rate for a name we do not know."""
    return WORDS_PER_MINUTE.get(name, WORDS_PER_MINUTE[DEFAULT_RATE_NAME])
