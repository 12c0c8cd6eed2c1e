"""The whole turn against every phrasing: typos, sound-alikes and near paraphrases, decided by calibrated thresholds."""

from __future__ import annotations

from typing import Final

import numpy as np
from rapidfuzz import fuzz, process

from .exercises import ExerciseHit
from .index import RouterIndex
from .naming import names_something_else, with_exercise
from .normalize import phonetic_key
from .outcomes import Context, NoMatch, Outcome
from .vocabulary import CONTENT_INTENTS, GUIDANCE_INTENTS, Intent

__all__ = ["whole_turn"]

INTENTS: Final = tuple(Intent)
INTENT_ORDER: Final = {intent: place for place, intent in enumerate(INTENTS)}
"""Ties between intents go to the one listed first (intents/vocabulary.py)."""
SCORE_FLOOR: Final = 50.0  # a phrasing less alike than this says nothing about the turn


def whole_turn(
    plain: str, slotted: str | None, hit: ExerciseHit | None, step: int | None, index: RouterIndex, context: Context
) -> Outcome:
    """The whole turn against every phrasing: typos, sound-alikes and near paraphrases."""
    limits = index.thresholds
    scores = _score_intents(plain, slotted, index)
    if context.current_exercise:
        scores = {
            i: (min(s + limits.in_progress_bonus, 100.0) if i in GUIDANCE_INTENTS else s, used)
            for i, (s, used) in scores.items()
        }
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], INTENT_ORDER[kv[0]]))
    return _decide(ranked, hit, step, plain, index, context)


def _score_intents(plain: str, slotted: str | None, index: RouterIndex) -> dict[Intent, tuple[float, bool]]:
    """Best score per intent, and whether it came from the exercise-slotted reading.

    Every phrasing is scored in one pass (rapidfuzz's cdist over spelling, word order and
    sound), then the best per intent is taken with numpy: the same decision as comparing
    them one by one, without a Python loop over the phrasings."""
    intents = INTENTS
    best = np.full(len(intents), -np.inf)
    from_slot = np.zeros(len(intents), dtype=bool)
    readings = [(plain, False)] + ([(slotted, True)] if slotted else [])
    for reading, used_slot in readings:
        scores = _phrasing_scores(reading, index)
        per_intent = np.full(len(intents), -np.inf)
        np.maximum.at(per_intent, index.phrasing_intents, scores)
        better = per_intent > best  # the plain reading keeps a tie
        best = np.where(better, per_intent, best)
        from_slot = np.where(better, used_slot, from_slot)
    return {intents[i]: (float(best[i]), bool(from_slot[i])) for i in np.flatnonzero(best > 0)}


def _phrasing_scores(reading: str, index: RouterIndex) -> np.ndarray:
    """Each phrasing's best score for `reading` (at least SCORE_FLOOR, else none), less the
    penalty for words we do not know."""
    words = [index.canonical(w) for w in reading.split()]
    canon = " ".join(words)
    penalty = index.thresholds.unknown_penalty * sum(not index.lexicon.known(w) for w in words)
    scores = np.maximum.reduce(
        [
            process.cdist([canon], index.texts, scorer=fuzz.ratio, processor=None, dtype=np.float64)[0],
            process.cdist([canon], index.texts, scorer=fuzz.token_sort_ratio, processor=None, dtype=np.float64)[0],
            process.cdist([phonetic_key(canon)], index.keys, scorer=fuzz.ratio, processor=None, dtype=np.float64)[0],
        ]
    )
    scores[scores < SCORE_FLOOR] = -np.inf
    for position, score in index.overlaps(words):
        scores[position] = max(scores[position], score)
    return scores - penalty


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
    if best in CONTENT_INTENTS and names_something_else(plain, exercise_hit, index):
        return NoMatch(score, best, reason="asks about something the content does not have")
    if best is Intent.START_EXERCISE and exercise_hit is None:
        return NoMatch(score, best, reason="no exercise of ours was named")
    if best not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    return with_exercise(best, score, exercise_hit, step, index, context)
