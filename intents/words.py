"""The vocabulary of one library, built once and shared: by the router (names typed) and by the
speech grammar (names said aloud), so neither derives the names or loads the phrasings again.

    vocabulary = build_vocabulary(library)
    build_index(library, vocabulary=vocabulary); command_recognizer(vocabulary, situations)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from content import Library

from .exercises import Alias, derive_aliases, spoken_aliases
from .normalize import normalize
from .vocabulary import Intent, load_phrasings

__all__ = ["Vocabulary", "build_vocabulary"]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    phrasings: Mapping[Intent, tuple[str, ...]]
    """The phrasings file (intents/phrasings.toml) as loaded, or the ones given."""
    commands: frozenset[str]
    """Every word of the phrasings, normalised: the words commands are made of."""
    aliases: tuple[Alias, ...]
    """Every way to name each exercise in typing; a part of a title that is a command word is none."""
    spoken: tuple[Alias, ...]
    """The names people say aloud: what the speech grammar listens for."""
    longest: int
    """Steps of the library's longest exercise (at least 1)."""


def build_vocabulary(library: Library, phrasings: Mapping[Intent, tuple[str, ...]] | None = None) -> Vocabulary:
    source = load_phrasings() if phrasings is None else phrasings
    commands = frozenset(
        w for examples in source.values() for e in examples for w in normalize(e).split() if not w.startswith("{")
    )
    return Vocabulary(
        phrasings=source,
        commands=commands,
        aliases=derive_aliases(library, reserved=commands),
        spoken=spoken_aliases(library),
        longest=max((len(e.steps) for e in library.exercises), default=1),
    )
