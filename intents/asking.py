"""Turns that ask without a command: about a body part, by description, or a question the articles answer."""

from __future__ import annotations

from .clauses import Tokens
from .exercises import ExerciseHit
from .index import FUNCTION_WORDS, NARRATION_SCORE, QUESTION_OPENERS, WHY_WORDS, RouterIndex
from .naming import generic
from .outcomes import Ambiguous, Context, Match, Outcome
from .subjects import REQUEST_WORDS
from .vocabulary import Intent

__all__ = ["about_a_subject", "by_subject", "described", "question"]


def about_a_subject(outcome: Outcome, hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """No command, a kind of movement only, a body part only ("hamstrings") or "exercises for ...":
    which exercises are about it may answer."""
    if isinstance(outcome, Match):
        return outcome.intent is Intent.LIST_EXERCISES
    if isinstance(outcome, Ambiguous):
        return generic(hit, index) or (hit is not None and not hit.whole and not hit.kind)
    return hit is None or len(hit.slugs) > 1


def described(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex, context: Context) -> Outcome | None:
    """ "the one on the bed", "the standing one with the chair": no name, but words only one
    exercise's steps say; when several say them, ask which. Describing the one in progress
    starts nothing: it is narration."""
    if index.descriptions is None or (hit is not None and not hit.generic) or tokens.words[0] in WHY_WORDS:
        return None
    ignorable = FUNCTION_WORDS | index.talk.acknowledgements | REQUEST_WORDS
    start, end = hit.span if hit is not None else (0, 0)  # the kind named ("stretch") describes nothing
    words = [*tokens.words[:start], *tokens.words[end:]]
    candidates = index.descriptions.candidates(words, ignorable=ignorable)
    if hit is not None:  # "the standing stretch": one of the stretches
        candidates = tuple(slug for slug in candidates if slug in hit.slugs)
    if candidates == (context.current_exercise,):
        return None
    if len(candidates) == 1:
        return Match(Intent.START_EXERCISE, NARRATION_SCORE, candidates[0])
    return Ambiguous(Intent.START_EXERCISE, NARRATION_SCORE, candidates) if candidates else None


def by_subject(tokens: Tokens, index: RouterIndex, hit: ExerciseHit | None) -> Outcome | None:
    """ "how do I stretch my calves", "something for my lower back": ask which of the exercises
    whose article is about it, never start one."""
    if index.subjects is None:
        return None
    ignorable = FUNCTION_WORDS | index.talk.acknowledgements | index.pain.words  # "a sore back": the back
    candidates = index.subjects.candidates(list(tokens.words), ignorable=ignorable, commands=frozenset(index.exact))
    if not candidates or (hit is not None and not hit.generic and not set(hit.slugs) <= set(candidates)):
        return None
    return Ambiguous(Intent.START_EXERCISE, NARRATION_SCORE, candidates)


def question(tokens: Tokens, index: RouterIndex, context: Context) -> Outcome | None:
    """A question the article's own sentences answer ("what is the iliopsoas")."""
    if index.sentences is None or not tokens.words or tokens.words[0] not in QUESTION_OPENERS:
        return None
    article = None
    if context.current_exercise and index.subjects is not None:
        article = index.subjects.article_of.get(context.current_exercise)
    passages = index.sentences.search(tokens.text, article=article) if article else ()
    passages = passages or index.sentences.search(tokens.text)
    if not passages:
        return None
    return Match(Intent.ASK_ARTICLE, passages[0].score, passages=passages)
