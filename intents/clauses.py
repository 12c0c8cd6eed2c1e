"""What was said as normalised words, each tagged with the clause it belongs to.

Clauses end at punctuation (typed text) and before words that start a new thought in
speech, which has no punctuation ("alright i'm on my back now what do i do next"). The
clause tags only decide which words sit beside a command: phrasings are found across them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from .normalize import fold, normalize

__all__ = ["TALK_FILE", "Talk", "Tokens", "load_talk", "tokenize"]

TALK_FILE: Final = Path(__file__).parent / "talk.toml"
BOUNDARY: Final = re.compile(r"[,.;:!?\u2026]+|\s[-\u2013\u2014]+\s")


@dataclass(frozen=True, slots=True)
class Talk:
    """Ordinary talk around commands (talk.toml)."""

    clause_markers: frozenset[str]
    acknowledgements: frozenset[str]
    narration: frozenset[str]
    noun_markers: frozenset[str]
    corrections: frozenset[str] = frozenset()
    off_topic: tuple[tuple[str, ...], ...] = ()


@lru_cache(maxsize=4)
def load_talk(path: Path = TALK_FILE) -> Talk:
    with path.open("rb") as stream:
        data = tomllib.load(stream)
    return Talk(
        clause_markers=frozenset(data["clause_markers"]),
        acknowledgements=frozenset(data["acknowledgements"]),
        narration=frozenset(w for item in data["narration"] for w in normalize(item).split()),
        noun_markers=frozenset(data["noun_markers"]),
        corrections=frozenset(data["corrections"]),
        off_topic=tuple(tuple(normalize(item).split()) for item in data["off_topic"]),
    )


@dataclass(frozen=True, slots=True)
class Tokens:
    words: tuple[str, ...]
    clauses: tuple[int, ...]
    """Clause number of each word."""

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def replace(self, start: int, end: int, new: tuple[str, ...]) -> Tokens:
        """Words [start, end) replaced by `new`, which takes the clause of the first."""
        clause = self.clauses[start] if start < len(self.clauses) else (self.clauses[-1] if self.clauses else 0)
        return Tokens(
            self.words[:start] + new + self.words[end:],
            self.clauses[:start] + (clause,) * len(new) + self.clauses[end:],
        )

    def clause_span(self, start: int, end: int) -> tuple[int, int]:
        """Word positions of the clauses that words [start, end) touch."""
        first, last = self.clauses[start], self.clauses[end - 1]
        inside = [i for i, c in enumerate(self.clauses) if first <= c <= last]
        return inside[0], inside[-1] + 1


def tokenize(text: str, talk: Talk) -> tuple[Tokens, frozenset[str]]:
    """The normalised words with their clauses, and the acknowledgement words heard (which
    normalising drops as filler: "ok", "alright")."""
    words: list[str] = []
    clauses: list[int] = []
    heard: set[str] = set()
    clause = 0
    for piece in BOUNDARY.split(text):
        for raw in piece.split():
            plain = fold(raw).strip("'\"()[]")
            if plain in talk.clause_markers and words and clauses[-1] == clause:
                clause += 1
            if plain.strip(".,!?") in talk.acknowledgements:
                heard.add(plain.strip(".,!?"))
            for word in normalize(raw).split():
                words.append(word)
                clauses.append(clause)
        clause += 1
    return Tokens(tuple(words), tuple(clauses)), frozenset(heard)
