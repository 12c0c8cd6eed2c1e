"""Route an utterance to an intent and its entities: Match, Ambiguous or NoMatch. Pure, no state."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz, process

from content import Library

from .exercises import Alias, ExerciseHit, derive_aliases, find_exercise
from .lexicon import Lexicon
from .normalize import normalize, phonetic_key
from .vocabulary import CONTENT_INTENTS, GUIDANCE_INTENTS, Intent, load_phrasings

__all__ = [
    "Ambiguous",
    "Context",
    "Match",
    "NoMatch",
    "Outcome",
    "RouterIndex",
    "Thresholds",
    "build_index",
    "route",
]

log = logging.getLogger(__name__)

EXERCISE_SLOT: Final = "{exercise}"
STEP_SLOT: Final = "{step}"
MAX_UTTERANCE_CHARS: Final = 500  # a spoken or typed command is short; this bounds the work
LAST_STEP: Final = -1  # "last step" when no exercise is known to say how many steps there are
STEP_WORDS: Final = {"one": 1, "first": 1, "1": 1, "last": LAST_STEP, "final": LAST_STEP}
# Speech recognisers hear "step two" as "step to" and "step four" as "step for".
STEP_HOMOPHONES: Final = {"to": 2, "too": 2, "for": 4, "won": 1, "ate": 8}
STEP_MENTION: Final = re.compile(
    r"\bstep (?:number )?(?P<after>\d+|one|first|last|final)\b"
    r"|\b(?P<before>\d+|first|last|final) step\b"
    r"|\bstep (?P<heard>to|too|for|won|ate)(?= of\b|$)"
)
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


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Calibrated on the dev halves of benchmarks/data/intents_eval.tsv and CLINC150
    (`python -m benchmarks.eval_intents --calibrate`): the best in-scope accuracy with at
    most 1% of out-of-scope queries accepted. Config may override them."""

    accept: float = 76.0
    """Below this the best phrasing is too far from what was said: out of scope."""
    sure: float = 90.0
    """At or above this a phrasing matches so closely that a near runner-up does not matter."""
    margin: float = 4.0
    """Between accept and sure, the winner must beat the best other intent by this much."""
    exercise: float = 84.0
    """An exercise name typed with a typo or two ("cobra strech") still scores above this."""
    exercise_by_sound: float = 90.0
    """Phonetic keys are short, so a sound-alike must be nearly identical to count."""
    exercise_margin: float = 4.0
    """Two different exercises scoring within this of each other: ask which one."""
    in_progress_bonus: float = 6.0
    """Mid-exercise, a near miss on "next"/"repeat"/... means the step, not something else."""
    unknown_penalty: float = 8.0
    """Per word we have never seen: it is likely what the sentence is really about."""


@dataclass(frozen=True, slots=True)
class Context:
    """What the conversation knows right now; passed in, never stored in the router."""

    current_exercise: str | None = None
    """Slug of the exercise being guided, if any."""


@dataclass(frozen=True, slots=True)
class Match:
    intent: Intent
    score: float
    exercise: str | None = None
    """Slug of the exercise named in the utterance, if any."""
    step: int | None = None


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The intent is clear but the exercise is not: ask which of `candidates`."""

    intent: Intent
    score: float
    candidates: tuple[str, ...]
    step: int | None = None


@dataclass(frozen=True, slots=True)
class NoMatch:
    """Out of scope: nothing we can help with, or an exercise/body part the content lacks."""

    score: float
    best: Intent | None = None
    reason: str = "no phrasing is close enough"


Outcome = Match | Ambiguous | NoMatch


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
    lexicon: Lexicon
    step_counts: Mapping[str, int]
    thresholds: Thresholds = field(default_factory=Thresholds)
    texts: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    word_sets: tuple[frozenset[str], ...] = ()

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
        found = []
        for position, phrasing in enumerate(self.word_sets):
            shared = sum(self.lexicon.weight(w) for w in said & phrasing)
            if shared:
                phrasing_weight = sum(self.lexicon.weight(w) for w in phrasing)
                found.append((position, 200 * shared / (said_weight + phrasing_weight)))
        return found


def build_index(
    library: Library,
    phrasings: Mapping[Intent, tuple[str, ...]] | None = None,
    thresholds: Thresholds | None = None,
) -> RouterIndex:
    """Normalise every phrasing once and derive the exercise aliases from the content."""
    source = load_phrasings() if phrasings is None else phrasings
    normalized = [
        Phrasing(intent, text, phonetic_key(text))
        for intent, examples in source.items()
        for text in dict.fromkeys(normalize(e) for e in examples)
    ]
    aliases = derive_aliases(library)
    extra = {w for a in aliases for w in a.text.split()}
    extra |= {w for art in library.articles for w in normalize(art.title).split()}
    extra |= {w for art in library.articles for item in art.things_needed for w in normalize(item).split()}
    return RouterIndex(
        phrasings=tuple(normalized),
        aliases=aliases,
        lexicon=Lexicon((p.text.split() for p in normalized), extra | FUNCTION_WORDS, light=FUNCTION_WORDS),
        step_counts={e.slug: len(e.steps) for e in library.exercises},
        thresholds=thresholds or Thresholds(),
        texts=tuple(p.text for p in normalized),
        keys=tuple(p.key for p in normalized),
        word_sets=tuple(frozenset(p.text.split()) for p in normalized),
    )


def route(text: str, index: RouterIndex, context: Context | None = None) -> Outcome:
    """Map what someone typed or said to an intent, its exercise and step."""
    context = context or Context()
    plain = normalize(text[:MAX_UTTERANCE_CHARS]) if isinstance(text, str) else ""
    if not plain:
        return NoMatch(0.0, reason="nothing was said")
    limits = index.thresholds
    with_step, step = _extract_step(plain)
    hit = find_exercise(
        with_step,
        index.aliases,
        cutoff=limits.exercise,
        phonetic_cutoff=limits.exercise_by_sound,
        margin=limits.exercise_margin,
    )
    slotted = _fill_exercise_slot(with_step, hit)
    scores = _score_intents(with_step, slotted, index)
    if context.current_exercise:
        scores = {
            i: (min(s + limits.in_progress_bonus, 100.0) if i in GUIDANCE_INTENTS else s, used)
            for i, (s, used) in scores.items()
        }
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], list(Intent).index(kv[0])))
    outcome = _decide(ranked, hit, step, plain, index, context)
    log.debug("route %r -> %r (top: %s)", plain, outcome, [(i.value, round(s, 1)) for i, (s, _) in ranked[:2]])
    return outcome


def _extract_step(plain: str) -> tuple[str, int | None]:
    """Replace a step mention by the {step} slot: "go to 3 step" -> ("go to step {step}", 3)."""
    found = STEP_MENTION.search(plain)
    if not found:
        return plain, None
    word = found.group("after") or found.group("before") or found.group("heard")
    number = STEP_WORDS.get(word) or STEP_HOMOPHONES.get(word) or int(word)
    return f"{plain[: found.start()]}step {STEP_SLOT}{plain[found.end() :]}".strip(), number


def _fill_exercise_slot(plain: str, hit: ExerciseHit | None) -> str | None:
    if hit is None:
        return None
    words = plain.split()
    start, end = hit.span
    return " ".join([*words[:start], EXERCISE_SLOT, *words[end:]])


def _score_intents(plain: str, slotted: str | None, index: RouterIndex) -> dict[Intent, tuple[float, bool]]:
    """Best score per intent, and whether it came from the exercise-slotted reading."""
    scores: dict[Intent, tuple[float, bool]] = {}
    readings = [(plain, False)] + ([(slotted, True)] if slotted else [])
    for reading, used_slot in readings:
        words = [index.canonical(w) for w in reading.split()]
        canon = " ".join(words)
        penalty = index.thresholds.unknown_penalty * sum(not index.lexicon.known(w) for w in words)
        for scorer, query, choices in (
            (fuzz.ratio, canon, index.texts),
            (fuzz.token_sort_ratio, canon, index.texts),
            (fuzz.ratio, phonetic_key(canon), index.keys),
        ):
            for _, score, position in process.extract(
                query, choices, scorer=scorer, processor=None, limit=None, score_cutoff=50
            ):
                _keep_best(scores, index.phrasings[position].intent, score - penalty, used_slot)
        for position, score in index.overlaps(words):
            _keep_best(scores, index.phrasings[position].intent, score - penalty, used_slot)
    return scores


def _keep_best(scores: dict[Intent, tuple[float, bool]], intent: Intent, score: float, slot: bool) -> None:
    if score > scores.get(intent, (0.0, False))[0]:
        scores[intent] = (score, slot)


def _decide(
    ranked: list[tuple[Intent, tuple[float, bool]]],
    hit: ExerciseHit | None,
    step: int | None,
    plain: str,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    limits = index.thresholds
    if not ranked:
        return NoMatch(0.0)
    best, (score, used_slot) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if score < limits.accept:
        return NoMatch(score, best)
    if score < limits.sure and score - runner_up < limits.margin:
        return NoMatch(score, best, reason="two intents are equally close")
    exercise_hit = hit if used_slot or (hit and len(hit.slugs) == 1 and best in CONTENT_INTENTS) else None
    if best in CONTENT_INTENTS and _names_something_else(plain, exercise_hit, index):
        return NoMatch(score, best, reason="asks about something the content does not have")
    if best is Intent.START_EXERCISE and exercise_hit is None:
        return NoMatch(score, best, reason="no exercise of ours was named")
    if best is not Intent.GOTO_STEP:
        step = None
    return _with_exercise(best, score, exercise_hit, step, index, context)


def _with_exercise(
    intent: Intent,
    score: float,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    if hit is not None and len(hit.slugs) > 1:
        if context.current_exercise in hit.slugs and intent is not Intent.START_EXERCISE:
            return Match(intent, score, context.current_exercise, _resolve(step, context.current_exercise, index))
        return Ambiguous(intent, score, hit.slugs, step)
    exercise = hit.slugs[0] if hit else None
    return Match(intent, score, exercise, _resolve(step, exercise or context.current_exercise, index))


def _resolve(step: int | None, exercise: str | None, index: RouterIndex) -> int | None:
    """'last step' becomes a number once we know which exercise it is about."""
    if step == LAST_STEP and exercise in index.step_counts:
        return index.step_counts[exercise]
    return step


def _names_something_else(plain: str, hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """Unknown words with no exercise of ours named ("hold the plank"), or beside a bare generic
    word ("a neck stretch"): the person asks about an exercise or body part we do not have."""
    if hit is not None and len(hit.slugs) == 1:
        return False
    words = plain.split()
    if hit is not None:
        words = words[: hit.span[0]] + words[hit.span[1] :]
    return any(not index.lexicon.known(index.canonical(w)) for w in words)
