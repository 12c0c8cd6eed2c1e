"""What a speech recogniser may hear: every command phrase, spelt as it is spoken, and a JSGF
grammar over them. Pure: phrasings and content in, text out; no I/O.

The recogniser only ever outputs word sequences of this grammar, so a phrase must keep every
word people say ("the", "please", "three"): unlike `normalize()`, which is applied to the
transcript afterwards, the spoken form keeps fillers and spells numbers as words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final

from content import Library

from .exercises import derive_aliases
from .normalize import CONTRACTIONS
from .vocabulary import Intent

__all__ = [
    "CARDINALS",
    "ORDINALS",
    "command_phrases",
    "jsgf_grammar",
    "spoken_form",
]

EXERCISE_SLOT: Final = "{exercise}"
STEP_SLOT: Final = "{step}"
STEP_PHRASE: Final = f"step {STEP_SLOT}"
GRAMMAR_NAME: Final = "commands"
TOP_RULE: Final = "command"
ARTICLE: Final = "the"
"""Said before an exercise name ("show me the cobra stretch") but absent from the phrasings."""
LAST_STEP_WORDS: Final = ("last", "final")
"""'last step' / 'final step': the router resolves them once it knows the exercise."""

CARDINALS: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
ORDINALS: Final = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()
MAX_STEP_WORDS: Final = len(CARDINALS) - 1
"""Longest exercise we can name every step of; articles have a handful of steps."""

NOT_SPOKEN: Final = re.compile(r"[^a-z0-9'{} ]+")
# Phrasings are typed without apostrophes ("whats next"); the pronouncing dictionary knows
# the written form ("what's"). Derived from the normaliser's own table so the two agree.
APOSTROPHE_FORMS: Final = {
    key.replace("'", ""): key
    for key in CONTRACTIONS
    if "'" in key and key.replace("'", "") in CONTRACTIONS
}


def spoken_form(text: str) -> str:
    """Lower-case ASCII words as they are said: punctuation dropped, digits spelt out,
    apostrophes restored ("whats" -> "what's"); slots such as {exercise} are kept."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    folded = NOT_SPOKEN.sub(" ", folded.replace("\u2019", "'").replace("-", " "))
    words = []
    for word in folded.split():
        word = word.strip("'")
        if word.isdigit() and int(word) <= MAX_STEP_WORDS:
            word = CARDINALS[int(word)]
        if word:
            words.append(APOSTROPHE_FORMS.get(word, word))
    return " ".join(words)


def command_phrases(
    phrasings: Mapping[Intent, tuple[str, ...]],
    library: Library,
    *,
    max_step: int = 12,
) -> tuple[str, ...]:
    """Every phrasing in spoken form with {exercise} replaced by each exercise alias (with and
    without "the") and {step} by each step up to `max_step` ("step three", "third step",
    "last step"); deduplicated, in first-seen order (phrasings order, then slot order)."""
    if not 1 <= max_step <= MAX_STEP_WORDS:
        raise ValueError(f"max_step must be from 1 to {MAX_STEP_WORDS}, not {max_step!r}")
    names = tuple(dict.fromkeys(spoken_form(a.text) for a in derive_aliases(library)))
    exercises = tuple(name for alias in names for name in (alias, f"{ARTICLE} {alias}"))
    phrases: dict[str, None] = {}
    for examples in phrasings.values():
        for example in examples:
            for phrase in _expand_exercise(_expand_step(spoken_form(example), max_step), exercises):
                phrases.setdefault(" ".join(phrase.split()))
    phrases.pop("", None)
    return tuple(phrases)


def _expand_step(phrase: str, max_step: int) -> tuple[str, ...]:
    """'go to step {step}' -> 'go to step three', 'go to third step', 'go to last step', ..."""
    if STEP_SLOT not in phrase:
        return (phrase,)
    if STEP_PHRASE in phrase:
        named = [f"step {CARDINALS[n]}" for n in range(1, max_step + 1)]
        named += [f"{ORDINALS[n]} step" for n in range(1, max_step + 1)]
        named += [f"{word} step" for word in LAST_STEP_WORDS]
        return tuple(phrase.replace(STEP_PHRASE, words, 1) for words in named)
    return tuple(phrase.replace(STEP_SLOT, CARDINALS[n], 1) for n in range(1, max_step + 1))


def _expand_exercise(phrases: Iterable[str], exercises: tuple[str, ...]) -> Iterable[str]:
    for phrase in phrases:
        if EXERCISE_SLOT not in phrase:
            yield phrase
        else:  # one slot per phrasing in practice; a second one is filled by the same name
            yield from (phrase.replace(EXERCISE_SLOT, name) for name in exercises)


def jsgf_grammar(phrases: Iterable[str]) -> str:
    """A JSGF grammar accepting exactly `phrases` (each a string of spoken words).

    The phrases are factored into a prefix tree: a decoder then weighs a handful of first
    words instead of every phrase at once, which keeps the search small.
    """
    tree = _prefix_tree(phrase.split() for phrase in phrases)
    body = _alternatives(tree) if tree else "<VOID>"
    return f"#JSGF V1.0;\ngrammar {GRAMMAR_NAME};\npublic <{TOP_RULE}> = {body};\n"


_END: Final = ""
"""Key marking "a phrase may end here" in the prefix tree (never a word)."""

_Tree = dict[str, "_Tree"]


def _prefix_tree(phrases: Iterable[list[str]]) -> _Tree:
    tree: _Tree = {}
    for words in phrases:
        if not words:
            continue
        node = tree
        for word in words:
            node = node.setdefault(word, {})
        node[_END] = {}
    return tree


def _alternatives(node: _Tree) -> str:
    """JSGF for the words that may follow `node`, optional when a phrase may also end here."""
    branches = [_sequence(word, child) for word, child in node.items() if word != _END]
    body = branches[0] if len(branches) == 1 else "(" + " | ".join(branches) + ")"
    return f"[{body}]" if _END in node else body


def _sequence(word: str, child: _Tree) -> str:
    words = [word]
    while len(child) == 1 and _END not in child:  # a chain of single words needs no brackets
        (word, child), = child.items()
        words.append(word)
    if set(child) == {_END}:
        return " ".join(words)
    return " ".join(words) + " " + _alternatives(child)
