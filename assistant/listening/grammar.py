"""What a speech recogniser may hear: every command phrase, spelt as it is spoken, and the
grammar over them (a minimal word graph, or the same as JSGF text). Pure: no I/O.

The recogniser only ever outputs word sequences of this grammar, so a phrase must keep every
word people say ("the", "please", "three"): unlike `normalize()`, which is applied to the
transcript afterwards, the spoken form keeps fillers and spells numbers as words.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from content.numbers import ORDINAL_WORDS, number_words
from content.text import ascii_fold
from intents.normalize import CONTRACTIONS
from intents.slots import EXERCISE_SLOT, STEP_SLOT
from intents.vocabulary import Intent
from intents.words import Vocabulary

__all__ = [
    "ORDINALS",
    "Arc",
    "WordGraph",
    "command_phrases",
    "jsgf_grammar",
    "spoken_form",
    "weighted_phrases",
    "word_graph",
]

STEP_PHRASE: Final = f"step {STEP_SLOT}"
GRAMMAR_NAME: Final = "commands"
TOP_RULE: Final = "command"
ARTICLE: Final = "the"
"""Said before an exercise name ("show me the cobra stretch") but absent from the phrasings."""
LAST_STEP_WORDS: Final = ("last", "final")
"""'last step' / 'final step': the router resolves them once it knows the exercise."""

ORDINALS: Final = ORDINAL_WORDS
MAX_STEP_WORDS: Final = len(ORDINALS) - 1
"""Longest exercise we can name every step of; articles have a handful of steps."""

SPOKEN_FILE: Final = Path(__file__).parent / "spoken.toml"
NOT_SPOKEN: Final = re.compile(r"[^a-z0-9'{} ]+")
# Phrasings are typed without apostrophes ("whats next"); the pronouncing dictionary knows
# the written form ("what's"). Derived from the normaliser's own table so the two agree.
APOSTROPHE_FORMS: Final = {
    key.replace("'", ""): key for key in CONTRACTIONS if "'" in key and key.replace("'", "") in CONTRACTIONS
}


def spoken_form(text: str) -> str:
    """Lower-case ASCII words as they are said: punctuation dropped, digits spelt out,
    apostrophes restored ("whats" -> "what's"); slots such as {exercise} are kept."""
    folded = ascii_fold(text).lower()
    folded = NOT_SPOKEN.sub(" ", folded.replace("\u2019", "'").replace("-", " "))
    words = []
    for word in folded.split():
        word = word.strip("'")
        if word.isdigit():
            words.extend(number_words(int(word)).replace("-", " ").split())
        elif word:
            words.append(APOSTROPHE_FORMS.get(word, word))
    return " ".join(words)


def command_phrases(
    vocabulary: Vocabulary,
    *,
    max_step: int | None = None,
    without: Collection[Intent] = (),
) -> tuple[str, ...]:
    """Every phrasing in spoken form with {exercise} replaced by each name said aloud
    (`Vocabulary.spoken`, with and without "the") and {step} by each step up to `max_step` ("step
    three", "third step", "last step"); deduplicated, in first-seen order (phrasings order,
    then slot order). `max_step` defaults to the steps of the library's longest exercise: a
    step no exercise has is one more phrase to mistake a command for ("read step eight" for
    "next step"). The phrasings of the intents `without` are left out."""
    return tuple(dict.fromkeys(phrase for _, phrase in _intent_phrases(vocabulary, max_step, without)))


def weighted_phrases(
    vocabulary: Vocabulary,
    *,
    without: Collection[Intent] = (),
    likelier: Collection[Intent] = (),
    boost: float = 1.0,
) -> dict[str, float]:
    """The `command_phrases` (without the intents `without`), each with how likely it is said
    relative to the others: `boost` for the phrases of the intents `likelier`, 1 for the rest.
    A phrase of several intents ("first step": go to step 1, or start over) is kept if any of
    them is, with the largest of their weights."""
    if not boost > 0:
        raise ValueError(f"boost must be above 0, not {boost!r}")
    weights: dict[str, float] = {}
    for intent, phrase in _intent_phrases(vocabulary, None, without):
        weights[phrase] = max(boost if intent in likelier else 1.0, weights.get(phrase, 0.0))
    return weights


def _intent_phrases(
    vocabulary: Vocabulary,
    max_step: int | None,
    without: Collection[Intent],
) -> Iterator[tuple[Intent, str]]:
    """Each phrase with the intent of the phrasing it comes from, in phrasings order."""
    if max_step is None:  # a step no exercise has is one more phrase to mistake a command for
        max_step = min(MAX_STEP_WORDS, vocabulary.longest)
    if not 1 <= max_step <= MAX_STEP_WORDS:
        raise ValueError(f"max_step must be from 1 to {MAX_STEP_WORDS}, not {max_step!r}")
    names = tuple(dict.fromkeys(spoken_form(a.text) for a in vocabulary.spoken))
    exercises = tuple(name for alias in names for name in (alias, f"{ARTICLE} {alias}"))
    extra = _spoken_extras()
    for intent, examples in vocabulary.phrasings.items():
        if intent in without:
            continue
        prefixes = extra.prefixes.get(intent, ())
        for example in (*examples, *(extra.pain if intent is Intent.PAIN else ())):
            if example in extra.unsaid:
                continue
            for phrase in _expand_exercise(_expand_step(spoken_form(example), max_step), exercises):
                if spoken := " ".join(phrase.split()):
                    yield intent, spoken
                    yield from ((intent, f"{prefix} {spoken}") for prefix in prefixes)


@dataclass(frozen=True, slots=True)
class _Extras:
    prefixes: Mapping[Intent, tuple[str, ...]]
    """Words said before the intent's phrases without changing them ("ok next")."""
    pain: tuple[str, ...]
    """Pain said aloud, beyond the phrasings: every body part with every way it hurts."""
    unsaid: frozenset[str]
    """Phrasings left out of the grammar: a recogniser confuses them with commoner commands."""


@lru_cache(maxsize=1)
def _spoken_extras(path: Path = SPOKEN_FILE) -> _Extras:
    with path.open("rb") as stream:
        data = tomllib.load(stream)
    words, done = tuple(data["prefixes"]["words"]), set(data["prefixes"]["done_before"])
    prefixes = {Intent(name): words + (("done",) if name in done else ()) for name in data["prefixes"]["intents"]}
    pain = data["pain"]
    said = [t.replace("{body}", body) for t in pain["templates"] for body in pain["bodies"]]
    pain_said = tuple(spoken_form(p) for p in (*said, *pain["phrases"]))
    return _Extras(prefixes, pain_said, frozenset(data["unsaid"]["phrases"]))


def _expand_step(phrase: str, max_step: int) -> tuple[str, ...]:
    """'go to step {step}' -> 'go to step three', 'go to third step', 'go to last step', ..."""
    if STEP_SLOT not in phrase:
        return (phrase,)
    if STEP_PHRASE in phrase:
        named = [f"step {number_words(n)}" for n in range(1, max_step + 1)]
        named += [f"{ORDINALS[n]} step" for n in range(1, max_step + 1)]
        named += [f"{word} step" for word in LAST_STEP_WORDS]
        return tuple(phrase.replace(STEP_PHRASE, words, 1) for words in named)
    return tuple(phrase.replace(STEP_SLOT, number_words(n), 1) for n in range(1, max_step + 1))


def _expand_exercise(phrases: Iterable[str], exercises: tuple[str, ...]) -> Iterable[str]:
    for phrase in phrases:
        if EXERCISE_SLOT not in phrase:
            yield phrase
        else:  # one slot per phrasing in practice; a second one is filled by the same name
            yield from (phrase.replace(EXERCISE_SLOT, name) for name in exercises)


_END: Final = ""
"""Key marking "a phrase may end here" in a prefix tree (never a word)."""

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


@dataclass(frozen=True, slots=True)
class Arc:
    source: int
    target: int
    word: str | None
    """None: the phrase may end at `source` (an arc to the final state that says nothing)."""
    probability: float
    """Of taking this arc out of `source`: the share of the phrases that go through it."""


@dataclass(frozen=True, slots=True)
class WordGraph:
    """The smallest deterministic graph of words accepting exactly a set of phrases: phrases
    share their beginnings and their endings ("... step three of the cobra stretch")."""

    start: int
    final: int
    arcs: tuple[Arc, ...]


_Signature = tuple[float, tuple[tuple[str, int], ...]]
"""A state is known by the weight of the phrase ending there (0: none) and where each word leads."""


def word_graph(phrases: Iterable[str], weights: Mapping[str, float] | None = None) -> WordGraph:
    """The minimal word graph of `phrases`, each as likely as its weight says (default: all
    alike; a weight of 0 leaves the phrase out). States are numbered by the graph's shape
    alone, so the same phrases in any order give the same graph."""
    unique = list(dict.fromkeys(" ".join(p.split()) for p in phrases))
    tree = _prefix_tree(p.split() for p in unique)
    ends = {p: 1.0 if weights is None else weights.get(p, 1.0) for p in unique}
    states: dict[_Signature, int] = {}
    mass: dict[int, float] = {}
    root = _register(tree, (), ends, states, mass)
    final = len(states)
    arcs = []
    for (end, edges), state in states.items():
        total = mass[state]
        arcs.extend(Arc(state, target, word, mass[target] / total) for word, target in edges)
        if end:
            arcs.append(Arc(state, final, None, end / total))
    return WordGraph(root, final, tuple(arcs))


def _register(
    node: _Tree,
    said: tuple[str, ...],
    ends: Mapping[str, float],
    states: dict[_Signature, int],
    mass: dict[int, float],
) -> int:
    """Id of the state equivalent to `node` (made if new); `mass` gets the weight of the
    phrases through it. Equivalent states end the same phrases with the same weights."""
    edges = tuple(
        (word, _register(node[word], (*said, word), ends, states, mass)) for word in sorted(node) if word != _END
    )
    end = ends[" ".join(said)] if _END in node else 0.0
    signature = (end, edges)
    if signature not in states:
        state = states[signature] = len(states)
        mass[state] = end + sum(mass[target] for _, target in edges)
    return states[signature]


def jsgf_grammar(phrases: Iterable[str]) -> str:
    """A JSGF grammar accepting exactly `phrases` (each a string of spoken words).

    Written from the minimal word graph: a state that several words lead into becomes a rule
    of its own, so shared endings ("... of the cobra stretch") are written once.
    """
    graph = word_graph(phrases)
    leaving: dict[int, list[Arc]] = defaultdict(list)
    entering: Counter[int] = Counter()
    for arc in graph.arcs:
        leaving[arc.source].append(arc)
        entering[arc.target] += arc.word is not None
    ends = frozenset(s for s, arcs in leaving.items() if all(a.word is None for a in arcs))
    shared = frozenset(s for s, n in entering.items() if n > 1 and s not in ends)
    writer = _JsgfWriter(leaving, ends, shared)
    rules = [f"public <{TOP_RULE}> = {writer.body(graph.start)};"]
    rules += [f"<{_rule_name(s)}> = {writer.body(s)};" for s in sorted(shared)]
    return f"#JSGF V1.0;\ngrammar {GRAMMAR_NAME};\n" + "\n".join(rules) + "\n"


def _rule_name(state: int) -> str:
    return f"s{state}"


@dataclass(frozen=True, slots=True)
class _JsgfWriter:
    leaving: Mapping[int, list[Arc]]
    ends: frozenset[int]
    """States after which nothing more is said."""
    shared: frozenset[int]
    """States written as rules of their own and referred to by name."""

    def body(self, state: int) -> str:
        """Every way on from `state`: alternatives, optional where a phrase may also end."""
        arcs = self.leaving.get(state, [])
        branches = [self._after(arc.word, arc.target) for arc in arcs if arc.word is not None]
        if not branches:
            return "<VOID>"  # no phrases at all
        body = branches[0] if len(branches) == 1 else "(" + " | ".join(branches) + ")"
        return f"[{body}]" if any(arc.word is None for arc in arcs) else body

    def _after(self, word: str, target: int) -> str:
        if target in self.ends:
            return word
        if target in self.shared:
            return f"{word} <{_rule_name(target)}>"
        return f"{word} {self.body(target)}"
