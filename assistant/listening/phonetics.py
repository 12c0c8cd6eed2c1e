"""Pronunciations of the words we listen for, and the accents they are said in. Pure, over a dictionary lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

__all__ = ["Lookup", "accent_variants", "pronounce", "pronunciations"]


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


def pronunciations(word: str, lookup: Lookup) -> Iterator[str]:
    for number in range(1, MAX_ALTERNATIVES + 1):
        phones = lookup(word if number == 1 else f"{word}({number})")
        if phones is None:
            return
        yield phones
