"""What a speech recogniser may hear: every command phrase, spelt as it is spoken, and the
grammar over them (a minimal word graph, or the same as JSGF text). Pure: no I/O.

A phrasing that names an exercise is kept as one template ("how do i do the {exercise}") and
the names as one list: the word graph says every name once, in a sub-graph shared by all the
templates that lead to the same continuation, so its size is phrasings + names, never
phrasings x names (at 1,000 exercises the product was 543,000 phrases and 30 s to build).

The recogniser only ever outputs word sequences of this grammar, so a phrase must keep every
word people say ("the", "please", "three"): unlike `normalize()`, which is applied to the
transcript afterwards, the spoken form keeps fillers and spells numbers as words.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
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
    "Acceptor",
    "Arc",
    "PhraseSet",
    "WordGraph",
    "command_phrases",
    "command_templates",
    "exercise_names",
    "fill_names",
    "jsgf_grammar",
    "spoken_form",
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


def exercise_names(vocabulary: Vocabulary) -> tuple[str, ...]:
    """Each name people say aloud for an exercise (`Vocabulary.spoken`), in spoken form, once."""
    return tuple(dict.fromkeys(name for alias in vocabulary.spoken if (name := spoken_form(alias.text))))


def command_templates(
    vocabulary: Vocabulary,
    *,
    max_step: int | None = None,
    without: Collection[Intent] = (),
    likelier: Collection[Intent] = (),
    boost: float = 1.0,
) -> dict[str, float]:
    """Every phrasing in spoken form with {step} replaced by each step up to `max_step` ("step
    three", "third step", "last step") and {exercise} kept, with and without "the" before it;
    each with how likely it is said relative to the others: `boost` for the phrasings of the
    intents `likelier`, 1 for the rest. In first-seen order (phrasings order, then slot order).
    `max_step` defaults to the steps of the library's longest exercise: a step no exercise has
    is one more phrase to mistake a command for ("read step eight" for "next step"). The
    phrasings of the intents `without` are left out; a phrase of several intents ("first
    step": go to step 1, or start over) gets the largest of their weights."""
    if not boost > 0:
        raise ValueError(f"boost must be above 0, not {boost!r}")
    weights: dict[str, float] = {}
    for intent, phrase in _intent_phrases(vocabulary, max_step, without):
        weights[phrase] = max(boost if intent in likelier else 1.0, weights.get(phrase, 0.0))
    return weights


def fill_names(templates: Iterable[str], names: Iterable[str]) -> Iterator[str]:
    """The phrases the templates stand for: each {exercise} replaced by each name (a second
    slot in one template, never seen in practice, by the same name)."""
    names = tuple(names)
    for template in templates:
        if EXERCISE_SLOT not in template:
            yield template
        else:
            yield from (template.replace(EXERCISE_SLOT, name) for name in names)


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Whether a phrase is one of some templates with a name in the slot, without spelling
    them all out: a recogniser's check that what it heard is a whole phrase of its grammar."""

    plain: frozenset[str]
    """The templates without a slot."""
    around: frozenset[tuple[str, str]]
    """What is said before and after the slot in each template with one."""
    names: frozenset[str]

    @classmethod
    def of(cls, templates: Iterable[str], names: Iterable[str]) -> PhraseSet:
        plain, around = set(), set()
        for template in (" ".join(t.split()) for t in templates):
            if EXERCISE_SLOT not in template:
                plain.add(template)
            else:
                before, _, after = template.partition(EXERCISE_SLOT)
                around.add((before.strip(), after.strip()))
        return cls(frozenset(plain), frozenset(around), frozenset(" ".join(n.split()) for n in names))

    def __contains__(self, phrase: object) -> bool:
        if not isinstance(phrase, str):
            return False
        words = phrase.split()
        if " ".join(words) in self.plain:
            return True
        return any(
            " ".join(words[i:j]) in self.names and (" ".join(words[:i]), " ".join(words[j:])) in self.around
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
        )


def command_phrases(
    vocabulary: Vocabulary,
    *,
    max_step: int | None = None,
    without: Collection[Intent] = (),
) -> tuple[str, ...]:
    """Every phrase of `command_templates`, each name filled in, deduplicated: what the
    recogniser can hear, spelt out (for tests and counts; the recogniser never spells it out)."""
    templates = command_templates(vocabulary, max_step=max_step, without=without)
    return tuple(dict.fromkeys(fill_names(templates, exercise_names(vocabulary))))


def _intent_phrases(
    vocabulary: Vocabulary,
    max_step: int | None,
    without: Collection[Intent],
) -> Iterator[tuple[Intent, str]]:
    """Each template with the intent of the phrasing it comes from, in phrasings order."""
    if max_step is None:  # a step no exercise has is one more phrase to mistake a command for
        max_step = min(MAX_STEP_WORDS, vocabulary.longest)
    if not 1 <= max_step <= MAX_STEP_WORDS:
        raise ValueError(f"max_step must be from 1 to {MAX_STEP_WORDS}, not {max_step!r}")
    extra = _spoken_extras()
    for intent, examples in vocabulary.phrasings.items():
        if intent in without:
            continue
        prefixes = extra.prefixes.get(intent, ())
        for example in (*examples, *(extra.pain if intent is Intent.PAIN else ())):
            if example in extra.unsaid:
                continue
            for phrase in _with_article(_expand_step(spoken_form(example), max_step)):
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


def _with_article(phrases: Iterable[str]) -> Iterator[str]:
    """'show me {exercise}' -> itself and 'show me the {exercise}'."""
    for phrase in phrases:
        yield phrase
        if EXERCISE_SLOT in phrase:
            yield phrase.replace(EXERCISE_SLOT, f"{ARTICLE} {EXERCISE_SLOT}", 1)


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
    """None: nothing is said on the way (into or out of the names, or to the final state)."""
    probability: float
    """Of taking this arc out of `source`: the share of the phrases that go through it."""


@dataclass(frozen=True, slots=True)
class WordGraph:
    """A graph of words accepting exactly a set of phrases, each with its probability: phrases
    share their beginnings and their endings ("... step three of the cobra stretch"), and the
    exercise names are said in sub-graphs of their own, entered and left saying nothing."""

    start: int
    final: int
    arcs: tuple[Arc, ...]

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as columns: a kept graph of 80,000 arcs reads back in a tenth of the time."""
        columns = tuple(zip(*((a.source, a.target, a.word, a.probability) for a in self.arcs), strict=True))
        return (_from_columns, (self.start, self.final, *(columns or ((), (), (), ()))))


def _from_columns(
    start: int, final: int, sources: tuple[int, ...], targets: tuple[int, ...], words: tuple, chances: tuple
) -> WordGraph:
    return WordGraph(start, final, tuple(map(Arc, sources, targets, words, chances)))


class Acceptor:
    """Whether a graph accepts a phrase, walking it as the recogniser can: a decoder whose
    search ended before the final state returns a partial phrase, which this says is none."""

    __slots__ = ("_empty", "_final", "_start", "_words")

    def __init__(self, graph: WordGraph) -> None:
        self._words: dict[tuple[int, str], list[int]] = defaultdict(list)
        self._empty: dict[int, list[int]] = defaultdict(list)
        for arc in graph.arcs:
            if arc.word is None:
                self._empty[arc.source].append(arc.target)
            else:
                self._words[arc.source, arc.word].append(arc.target)
        self._start, self._final = graph.start, graph.final

    def __contains__(self, phrase: object) -> bool:
        if not isinstance(phrase, str) or not phrase.split():
            return False
        states = self._closure({self._start})
        for word in phrase.split():
            states = self._closure({t for s in states for t in self._words.get((s, word), ())})
        return self._final in states

    def _closure(self, states: set[int]) -> set[int]:
        todo = list(states)
        while todo:
            for target in self._empty.get(todo.pop(), ()):
                if target not in states:
                    states.add(target)
                    todo.append(target)
        return states


_Signature = tuple[float, tuple[tuple[str, int], ...]]
"""A state is known by the weight of the phrase ending there (0: none) and where each word leads."""


def word_graph(
    phrases: Iterable[str], weights: Mapping[str, float] | None = None, *, names: Iterable[str] = ()
) -> WordGraph:
    """The word graph of `phrases`, each as likely as its weight says (default: all alike; a
    weight of 0 leaves the phrase out), with every {exercise} said as each of `names` (a
    template with a slot stands for one phrase per name, so it weighs as much as they do
    together; without names it is left out). Minimal and deterministic but for the names;
    states are numbered by the graph's shape alone, so the same phrases in any order give the
    same graph."""
    said = tuple(dict.fromkeys(" ".join(n.split()) for n in names if n.strip()))
    unique = [p for p in dict.fromkeys(" ".join(p.split()) for p in phrases) if said or EXERCISE_SLOT not in p]
    ends = {p: 1.0 if weights is None else weights.get(p, 1.0) for p in unique}
    template = _minimal_graph(unique, ends, slot_weight=len(said))
    if not said or not any(arc.word == EXERCISE_SLOT for arc in template.arcs):
        return template
    return _skip_empty(_with_names(template, _names_graph(said)))


@lru_cache(maxsize=2)
def _names_graph(names: tuple[str, ...]) -> WordGraph:
    """The names, all alike: built once for every graph of a recogniser."""
    return _minimal_graph(list(names), dict.fromkeys(names, 1.0), slot_weight=0)


def _minimal_graph(phrases: list[str], ends: Mapping[str, float], *, slot_weight: int) -> WordGraph:
    """The minimal deterministic graph of `phrases` (the slot a word like the others, counting
    as `slot_weight` phrases)."""
    tree = _prefix_tree(p.split() for p in phrases)
    states: dict[_Signature, int] = {}
    mass: dict[int, float] = {}
    root = _register(tree, (), ends, states, mass, slot_weight)
    final = len(states)
    arcs = []
    for (end, edges), state in states.items():
        total = mass[state]
        for word, target in edges:
            share = mass[target] * (slot_weight if word == EXERCISE_SLOT else 1)
            arcs.append(Arc(state, target, word, share / total))
        if end:
            arcs.append(Arc(state, final, None, end / total))
    return WordGraph(root, final, tuple(arcs))


def _with_names(template: WordGraph, names: WordGraph) -> WordGraph:
    """`template` with each {exercise} arc replaced by a way through `names`, entered and left
    saying nothing. Two copies of the names, since a recogniser's time and memory grow with
    each (pocketsphinx: about 150 MB a copy of 23,000 names; one copy per continuation was
    ten): one for the templates that end at the name ("how do i do the {exercise}"); one
    shared by those that go on after it ("is {exercise} safe", "go to {exercise} step two"),
    left for each of their continuations as likely as after its own templates, so every
    phrase keeps its probability. The shared copy overgenerates ("is {exercise} step two")."""
    leaving: dict[int, list[Arc]] = defaultdict(list)
    for arc in template.arcs:
        leaving[arc.source].append(arc)
    slots = [arc for arc in template.arcs if arc.word == EXERCISE_SLOT]
    ends = {a.target for a in slots if [(b.word, b.target) for b in leaving[a.target]] == [(None, template.final)]}
    onward = sorted({a.target for a in slots} - ends)
    size = names.final + 1
    last, going_on = template.final + 1, template.final + 1 + size
    """Where each copy of the names starts."""
    arcs = [arc for arc in template.arcs if arc.word != EXERCISE_SLOT]
    arcs += [Arc(a.source, (last if a.target in ends else going_on) + names.start, None, a.probability) for a in slots]
    arcs += _copy(names, last, (template.final,))
    if onward:
        arcs += _copy(names, going_on, onward)
    return WordGraph(template.start, template.final, tuple(arcs))


def _skip_empty(graph: WordGraph) -> WordGraph:
    """The same phrases with the same probabilities, with no empty arc but those to the final
    state: one into a state is replaced by the arcs out of it. pocketsphinx models the sounds
    at a word's edges by the words around it, which it does not see across an empty arc
    (with them, "lying hip stretch" fitted its own sounds 10 to 20% worse, and noisy ones
    fell below the confidence cut). Two ways to the same place saying the same word (only
    where the shared copy of the names overgenerates) become one, as likely as the likelier:
    the decoder only ever follows the best."""
    leaving: dict[int, list[Arc]] = defaultdict(list)
    for arc in graph.arcs:
        leaving[arc.source].append(arc)
    done: dict[int, dict[tuple[int, str | None], float]] = {}

    def onward(state: int) -> dict[tuple[int, str | None], float]:
        if state not in done:
            out: dict[tuple[int, str | None], float] = defaultdict(float)
            for arc in leaving[state]:
                if arc.word is None and arc.target != graph.final:
                    for way, probability in onward(arc.target).items():
                        out[way] = max(out[way], arc.probability * probability)
                else:
                    out[arc.target, arc.word] = max(out[arc.target, arc.word], arc.probability)
            done[state] = out
        return done[state]

    arcs, seen, todo = [], {graph.start}, [graph.start]
    while todo:
        state = todo.pop()
        for (target, word), probability in onward(state).items():
            arcs.append(Arc(state, target, word, probability))
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return WordGraph(graph.start, graph.final, tuple(sorted(arcs, key=lambda a: (a.source, a.target, a.word or ""))))


def _copy(names: WordGraph, offset: int, leaving_to: Sequence[int]) -> list[Arc]:
    """The arcs of `names` with its states moved by `offset`; where a name ends, an empty arc
    to each of `leaving_to`, as likely as ending there was."""
    arcs = []
    for arc in names.arcs:
        if arc.target != names.final:
            arcs.append(Arc(arc.source + offset, arc.target + offset, arc.word, arc.probability))
        else:
            arcs.extend(Arc(arc.source + offset, target, None, arc.probability) for target in leaving_to)
    return arcs


def _register(
    node: _Tree,
    said: tuple[str, ...],
    ends: Mapping[str, float],
    states: dict[_Signature, int],
    mass: dict[int, float],
    slot_weight: int,
) -> int:
    """Id of the state equivalent to `node` (made if new); `mass` gets the weight of the
    phrases through it. Equivalent states end the same phrases with the same weights."""
    edges = tuple(
        (word, _register(node[word], (*said, word), ends, states, mass, slot_weight))
        for word in sorted(node)
        if word != _END
    )
    end = ends[" ".join(said)] if _END in node else 0.0
    signature = (end, edges)
    if signature not in states:
        state = states[signature] = len(states)
        through = (mass[target] * (slot_weight if word == EXERCISE_SLOT else 1) for word, target in edges)
        mass[state] = end + sum(through)
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
