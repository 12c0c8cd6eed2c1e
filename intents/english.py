"""Which words are ordinary English: a real word is never "corrected" into another one.

The list is symspellpy's English frequency dictionary (82,765 words from Google Books
n-grams intersected with SCOWL), read once from the installed package; nothing else of
symspellpy is used.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Final

__all__ = ["is_english"]

DICTIONARY: Final = "frequency_dictionary_en_82_765.txt"
MIN_COUNT: Final = 100_000  # rarer entries include plausible typos ("achey" is absent, "hurst" a surname)


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    text = resources.files("symspellpy").joinpath(DICTIONARY).read_text(encoding="utf-8")
    pairs = (line.split() for line in text.splitlines())
    return frozenset(word for word, count in pairs if int(count) >= MIN_COUNT)


def is_english(word: str) -> bool:
    """True for a word common enough in English that it is not a misspelling of another."""
    return word in _words()
