"""Which exercise a description fits: "the one on the bed", "the standing one with the chair".

People who do not remember a name describe the exercise by what its steps say: a position, a
piece of furniture, a body part. Every word of the description must be in an exercise's own
title or steps; when exactly one exercise has them all it is the one meant, when several do
the person is asked which. Words of a title come first: "the hip one" is among the exercises
named for the hip, not every one whose steps mention a hip. A word no exercise says ("the
hard one") describes nothing and the turn is left to the rest of the router.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from content import Library

from .normalize import normalize
from .retrieval import stem

__all__ = ["DescriptionIndex", "build_description_index"]

# Only a description when the turn says "one" ("the one on the bed"): "a neck stretch" or
# "stretches for my calves" name a kind and a body part, which is a request by subject.
MARKER: Final = "one"
# Words that say where in a sequence, never what an exercise is like: "the next one" is a command.
SEQUENCE_WORDS: Final = frozenset(
    "next last other previous same another first second third fourth fifth final current new "
    "following before after earlier".split()
)
# Words of asking for an exercise, not of describing it.
ASKING_WORDS: Final = frozenset(
    "do start try show let lets please instead wanna gonna like switch change rather prefer okay "
    "ok fancy give teach tell".split()
)
# The same position said another way: the steps say "lie", people say "lying".
SAME_AS: Final = {
    "lying": "lie",
    "laying": "lie",
    "lay": "lie",
    "sitting": "sit",
    "sat": "sit",
    "seated": "sit",
    "standing": "stand",
    "stood": "stand",
    "kneeling": "kneel",
    "knelt": "kneel",
    "tummy": "stomach",
    "belly": "stomach",
}


def _key(word: str) -> str:
    return stem(SAME_AS.get(word, word))


@dataclass(frozen=True, slots=True)
class DescriptionIndex:
    by_key: Mapping[str, frozenset[str]]
    """Stem of a word of an exercise's title or steps -> slugs of the exercises that say it."""
    by_title_key: Mapping[str, frozenset[str]]
    """Stem of a word of an exercise's title -> slugs of the exercises named with it."""
    order: tuple[str, ...]
    """Every exercise slug in library order: candidates are listed the way the library lists them."""

    def candidates(self, words: Iterable[str], *, ignorable: frozenset[str]) -> tuple[str, ...]:
        """The exercises every describing word fits, or () when the turn describes nothing."""
        words = list(words)
        if MARKER not in words or SEQUENCE_WORDS & set(words):
            return ()
        keys = [_key(w) for w in words if w not in ignorable and w not in ASKING_WORDS and w != MARKER]
        if not keys:
            return ()
        chosen = _all_of(self.by_title_key, keys) or _all_of(self.by_key, keys)
        return tuple(slug for slug in self.order if slug in chosen)


def _all_of(by_key: Mapping[str, frozenset[str]], keys: list[str]) -> frozenset[str]:
    return frozenset.intersection(*(by_key.get(k, frozenset()) for k in keys))


def build_description_index(library: Library) -> DescriptionIndex:
    by_key: dict[str, set[str]] = defaultdict(set)
    by_title_key: dict[str, set[str]] = defaultdict(set)
    for exercise in library.exercises:
        for word in normalize(exercise.title).split():
            by_title_key[_key(word)].add(exercise.slug)
        text = " ".join([exercise.title, *(s.text for s in exercise.steps)])
        for word in normalize(text).split():
            by_key[_key(word)].add(exercise.slug)
    return DescriptionIndex(_frozen(by_key), _frozen(by_title_key), tuple(e.slug for e in library.exercises))


def _frozen(found: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    return {key: frozenset(slugs) for key, slugs in found.items()}
