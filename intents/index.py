"""Everything routing needs, built once from the phrasings and the loaded content; the words it is decided with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from content import Library

from .clauses import Talk, load_talk
from .descriptions import DescriptionIndex, build_description_index
from .exercises import Alias, AliasIndex, build_alias_index
from .learned import IntentModel, load_model
from .lexicon import Lexicon
from .normalize import normalize, phonetic_key
from .outcomes import Thresholds
from .pain import PainVocabulary, load_pain_vocabulary
from .retrieval import SentenceIndex, build_sentence_index
from .subjects import SubjectIndex, build_subject_index
from .vocabulary import Intent
from .words import Vocabulary, build_vocabulary

__all__ = [
    "DETECTED",
    "DETECTED_SCORE",
    "FUNCTION_WORDS",
    "MAX_UTTERANCE_CHARS",
    "NARRATION_SCORE",
    "QUESTION_OPENERS",
    "WHY_WORDS",
    "WH_WORDS",
    "Phrasing",
    "RouterIndex",
    "build_index",
]


MAX_UTTERANCE_CHARS: Final = 500  # a spoken or typed command is short; this bounds the work


# Words that carry no subject matter: never a sign that the person asks about something
# the content does not have.
FUNCTION_WORDS: Final = frozenset(
    "i me my mine you your we us our it its this that these those is are was were be been "
    "am do does did done to of in on at for with and or but if then than there here what "
    "which who whom whose how when where why can could should would will shall may might "
    "must not no yes have has had get got go going want need some any all more most very "
    "too also about from up down out into over by as now again one first last lot bit "
    "little much really still just quite thing things kind sort way".split()
)


# Decided by their own detectors, never by resemblance to a phrasing: pain by intents/pain.py
# (recall first, negation and questions understood), questions about an article by retrieval.
DETECTED: Final = frozenset({Intent.PAIN, Intent.ASK_ARTICLE})


DETECTED_SCORE: Final = 100.0  # a detector's reading is not a similarity: report it as certain


NARRATION_SCORE: Final = 80.0  # "i'm on my back now": nothing asked, but plainly part of the exercise


QUESTION_OPENERS: Final = frozenset(
    "what why how who is are does do can could tell explain which where when will".split()
)


WH_WORDS: Final = frozenset("why how what where when which who".split())


WHY_WORDS: Final = frozenset("why where when".split())


@dataclass(frozen=True, slots=True)
class Phrasing:
    intent: Intent
    text: str
    key: str


@dataclass(frozen=True, slots=True)
class RouterIndex:
    """Everything route() needs, built once from the phrasings and the loaded content."""

    phrasings: tuple[Phrasing, ...]
    aliases: tuple[Alias, ...]
    alias_index: AliasIndex
    lexicon: Lexicon
    step_counts: Mapping[str, int]
    thresholds: Thresholds = field(default_factory=Thresholds)
    texts: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    word_sets: tuple[frozenset[str], ...] = ()
    postings: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """For each word, the phrasings (by position) it is in: overlaps() reads only those."""
    phrasing_weights: tuple[float, ...] = ()
    phrasing_intents: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    """For each phrasing (by position), the place of its intent in `tuple(Intent)`."""
    exact: Mapping[str, Intent] = field(default_factory=dict)
    """Each normalised phrasing and its intent, for finding phrasings inside longer turns."""
    commands: frozenset[str] = frozenset()
    """Every word of the phrasings: the words commands are made of."""
    harmless: frozenset[str] = frozenset()
    """Words that never sink a command said beside them: talk, narration, the steps' words."""
    talk: Talk = field(default_factory=load_talk)
    pain: PainVocabulary = field(default_factory=load_pain_vocabulary)
    sentences: SentenceIndex | None = None
    subjects: SubjectIndex | None = None
    descriptions: DescriptionIndex | None = None
    model: IntentModel | None = None
    """The learned reading of intents (intents/learned.py), or None for the phrasings alone."""

    @property
    def vocabulary(self) -> frozenset[str]:
        return self.lexicon.vocabulary

    def canonical(self, word: str) -> str:
        return self.lexicon.canonical(word)

    def overlaps(self, words: list[str]) -> list[tuple[int, float]]:
        """Weighted word-overlap F1 with every phrasing (rare words count more), as 0..100.

        Unlike token_set_ratio, words of the utterance missing from the phrasing lower
        the score, by how informative they are: "play the next song" is not "next".
        """
        said = set(words)
        said_weight = sum(self.lexicon.weight(w) for w in said)
        shared: dict[int, float] = defaultdict(float)
        for word in said:
            weight = self.lexicon.weight(word)
            for position in self.postings.get(word, ()):
                shared[position] += weight
        return [
            (position, 200 * weight / (said_weight + self.phrasing_weights[position]))
            for position, weight in sorted(shared.items())
            if weight
        ]


def build_index(
    library: Library,
    phrasings: Mapping[Intent, tuple[str, ...]] | None = None,
    thresholds: Thresholds | None = None,
    *,
    learned: bool = True,
    vocabulary: Vocabulary | None = None,
) -> RouterIndex:
    """Normalise every phrasing once; names come from the vocabulary (given by the app, shared)."""
    words = vocabulary or build_vocabulary(library, phrasings)
    normalized = _normalized(words.phrasings)
    commands, aliases = words.commands, words.aliases
    talk, pain = load_talk(), load_pain_vocabulary()
    extra = _content_words(library, aliases)
    harmless = FUNCTION_WORDS | talk.acknowledgements | talk.narration | pain.words | _step_words(library) | extra
    scored = [p for p in normalized if p.intent not in DETECTED]
    lexicon = Lexicon((p.text.split() for p in normalized), extra | harmless, light=FUNCTION_WORDS)
    word_sets = tuple(frozenset(p.text.split()) for p in scored)
    return RouterIndex(
        phrasings=tuple(scored),
        aliases=aliases,
        alias_index=build_alias_index(aliases),
        lexicon=lexicon,
        step_counts={e.slug: len(e.steps) for e in library.exercises},
        thresholds=thresholds or Thresholds(),
        texts=tuple(p.text for p in scored),
        keys=tuple(p.key for p in scored),
        word_sets=word_sets,
        postings=_postings(word_sets),
        phrasing_weights=tuple(sum(lexicon.weight(w) for w in words) for words in word_sets),
        phrasing_intents=np.array([list(Intent).index(p.intent) for p in scored], dtype=np.intp),
        exact={p.text: p.intent for p in scored},
        commands=commands,
        harmless=frozenset(harmless),
        talk=talk,
        pain=pain,
        sentences=build_sentence_index(library),
        subjects=build_subject_index(library),
        descriptions=build_description_index(library),
        model=load_model() if learned else None,
    )


def _normalized(source: Mapping[Intent, tuple[str, ...]]) -> list[Phrasing]:
    return [
        Phrasing(intent, text, phonetic_key(text))
        for intent, examples in source.items()
        for text in dict.fromkeys(normalize(e) for e in examples)
    ]


def _step_words(library: Library) -> set[str]:
    return {w for e in library.exercises for s in e.steps for w in normalize(s.text).split()}


def _content_words(library: Library, aliases: tuple[Alias, ...]) -> set[str]:
    """Words of names, titles and things needed: the content's own, never unknown."""
    words = {w for a in aliases for w in a.text.split()}
    words |= {w for art in library.articles for w in normalize(art.title).split()}
    return words | {w for art in library.articles for item in art.things_needed for w in normalize(item).split()}


def _postings(word_sets: tuple[frozenset[str], ...]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = defaultdict(list)
    for position, words in enumerate(word_sets):
        for word in words:
            found[word].append(position)
    return {word: tuple(positions) for word, positions in found.items()}
