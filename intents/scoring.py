"""The whole turn against every phrasing: typos, sound-alikes and near paraphrases, decided by calibrated thresholds."""

from __future__ import annotations

from rapidfuzz import fuzz, process

from .exercises import ExerciseHit
from .index import RouterIndex
from .naming import names_something_else, with_exercise
from .normalize import phonetic_key
from .outcomes import Context, NoMatch, Outcome
from .vocabulary import CONTENT_INTENTS, GUIDANCE_INTENTS, Intent

__all__ = ["whole_turn"]


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
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], list(Intent).index(kv[0])))
    return _decide(ranked, hit, step, plain, index, context)


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
    if best in CONTENT_INTENTS and names_something_else(plain, exercise_hit, index):
        return NoMatch(score, best, reason="asks about something the content does not have")
    if best is Intent.START_EXERCISE and exercise_hit is None:
        return NoMatch(score, best, reason="no exercise of ours was named")
    if best not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    return with_exercise(best, score, exercise_hit, step, index, context)
