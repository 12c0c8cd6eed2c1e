"""The phrasings' reading weighed against the learned model's (intents/learned.py)."""

from __future__ import annotations

from typing import Final

from .asking import question
from .clauses import Tokens
from .exercises import ExerciseHit
from .index import DETECTED, RouterIndex
from .learned import Verdict
from .naming import fill_exercise_slot, model_text, with_exercise
from .outcomes import Context, NoMatch, Outcome
from .vocabulary import CONTENT_INTENTS, Intent

__all__ = ["LEARNED_SCORE", "learned_says", "verdict_of", "weighed"]


LEARNED_SCORE: Final = 80.0  # the model's verdict is not a similarity either: reported as a clear reading


KNOWN_INTENTS: Final = frozenset(i.value for i in Intent)


def verdict_of(
    said: Tokens, heard: frozenset[str], hit: ExerciseHit | None, index: RouterIndex, context: Context
) -> Verdict | None:
    if index.model is None:
        return None
    return index.model.judge(model_text(said, heard, hit, guided=context.current_exercise is not None))


def learned_says(verdict: Verdict | None, intent: Intent, floor: float) -> bool:
    return verdict is not None and verdict.intent == intent.value and verdict.score >= floor


def weighed(
    outcome: Outcome,
    verdict: Verdict | None,
    tokens: Tokens,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    """The phrasings' reading against the learned one: where the model is sure of another intent
    and the turn has what that intent needs (a name to start, a step to read), the model's wins."""
    if verdict is None or not _model_wins(outcome, verdict, tokens, hit, index):
        return outcome
    if verdict.intent == Intent.OUT_OF_SCOPE.value:
        return NoMatch(verdict.score, reason="reads as something we do not do")
    intent = Intent(verdict.intent)
    if intent in DETECTED:  # pain is decided before; questions need the article's sentences
        return (question(tokens, index, context) if intent is Intent.ASK_ARTICLE else None) or outcome
    if intent is Intent.START_EXERCISE and hit is None:
        return outcome
    if intent in (Intent.GOTO_STEP, Intent.READ_STEP) and step is None:
        return outcome
    if intent not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    named = hit if intent in CONTENT_INTENTS or intent is Intent.START_EXERCISE else None
    if intent is Intent.WARNING and hit is not None and len(hit.slugs) == 1:
        named = hit  # "does the cobra hurt your back?": that exercise's warning
    return with_exercise(intent, LEARNED_SCORE, named, step, index, context)


def _model_wins(
    outcome: Outcome, verdict: Verdict, tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex
) -> bool:
    """Whether the model's verdict, for another intent than the phrasings', is sure enough to win."""
    limits = index.thresholds
    if verdict.intent == _intent_of(outcome) or verdict.intent not in KNOWN_INTENTS:
        return False
    if tokens.text in index.exact or fill_exercise_slot(tokens, hit).text in index.exact:
        return False  # the turn is a phrasing, word for word: the phrasings say what it means
    if verdict.intent == Intent.OUT_OF_SCOPE.value:
        return verdict.score >= limits.learned_out
    return verdict.score >= (limits.learned_rescue if isinstance(outcome, NoMatch) else limits.learned)


def _intent_of(outcome: Outcome) -> str:
    return Intent.OUT_OF_SCOPE.value if isinstance(outcome, NoMatch) else outcome.intent.value
