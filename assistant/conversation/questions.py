"""Questions answered from the article's own sentences: warning, things needed, hold, repetitions, anything else."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from content import Article, Library
from content.measures import HOLD_SENTENCE, REPEAT_SENTENCE
from intents import Intent, Match

from .guidance import ask_which_exercise, nothing_in_progress
from .replies import (
    MAX_LISTED,
    Kind,
    Message,
    articles_listed,
    exercises_by_article,
    info,
    listing,
    spoken_number,
    warning_message,
)
from .state import DialogueState, Handler, Reply, article_of, exercise_of

__all__ = ["HANDLERS"]


def _subject(state: DialogueState, outcome: Match) -> str | None:
    return outcome.exercise or state.exercise or state.last_exercise


def _article_question(answer: Callable[[Article], Message]) -> Handler:
    """Questions about the whole article: with one article there is no need to ask which."""

    def handle(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
        slug = _subject(state, outcome)
        if slug is None and len(library.articles) == 1:
            return state, Reply((answer(library.articles[0]),))
        if slug is None:
            return ask_which_exercise(state, outcome, library)
        return state, Reply((answer(article_of(library, slug)),))

    return handle


def _step_question(pattern: re.Pattern[str], missing: str) -> Handler:
    """Questions answered by the sentences of the exercise's steps that match `pattern`."""

    def handle(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
        slug = _subject(state, outcome)
        if slug is None:
            return ask_which_exercise(state, outcome, library)
        exercise = exercise_of(library, slug)
        found = [
            (step.number, sentence)
            for step in exercise.steps
            for sentence in re.split(r"(?<=[.!?])\s+", step.text)
            if pattern.search(sentence)
        ]
        if not found:
            text = missing.format(title=exercise.title)
            return state, Reply((info(text, Kind.ANSWER),))
        quoted = " ".join(f"Step {n}: “{s}”" for n, s in found)
        spoken = " ".join(f"In step {spoken_number(n)}: {s}" for n, s in found)
        text = f"The article says, for the {exercise.title}: {quoted}"
        return state, Reply((info(text, Kind.ANSWER, f"For the {exercise.title}, the article says. {spoken}"),))

    return handle


def _warning_answer(article: Article) -> Message:
    return warning_message(article)


def _things_answer(article: Article) -> Message:
    if not article.things_needed:
        return info(f"The article “{article.title}” does not list anything you need.", Kind.ANSWER)
    return info(f"For “{article.title}” you need: {listing(list(article.things_needed))}.", Kind.ANSWER)


def _overview_answer(article: Article) -> Message:
    if not article.intro:
        return info(f"The article “{article.title}” has no introduction.", Kind.ANSWER)
    return info(article.intro, Kind.ANSWER)


def _author_answer(article: Article) -> Message:
    if not article.author:
        return info(f"The article “{article.title}” does not say who wrote it.", Kind.ANSWER)
    return info(article.author, Kind.ANSWER)


def _progress(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return nothing_in_progress(state, library)
    exercise = exercise_of(library, state.exercise)
    total = len(exercise.steps)
    text = f"You are on step {state.step} of {total} of the {exercise.title}."
    speech = f"You are on step {spoken_number(state.step)} of {spoken_number(total)} of the {exercise.title}."
    return state, Reply((info(text, Kind.ANSWER, speech),))


def _list_exercises(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if not library.exercises:
        return state, Reply((info("No articles are loaded, so there are no exercises yet."),))
    if len(library.exercises) > MAX_LISTED:
        return state, Reply((info(articles_listed(library), Kind.ANSWER),))
    return state, Reply((info("The exercises are: " + exercises_by_article(library), Kind.ANSWER),))


def _ask_article(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """A question answered with the article's own sentences, never with words of ours."""
    subject = _subject(state, outcome)
    article = library.article_of(subject) if subject else None
    passages = [p for p in outcome.passages if article is None or p.article == article.slug] or list(outcome.passages)
    if not passages:
        return state, Reply((info("The article does not say.", Kind.ANSWER),))
    source = next(a for a in library.articles if a.slug == passages[0].article)
    quoted = " ".join(p.text for p in passages if p.article == source.slug)
    text = f"The article “{source.title}” says: {quoted}"
    return state, Reply((info(text, Kind.ANSWER, f"The article says. {quoted}"),))


HANDLERS: Final[dict[Intent, Handler]] = {
    Intent.PROGRESS: _progress,
    Intent.LIST_EXERCISES: _list_exercises,
    Intent.WARNING: _article_question(_warning_answer),
    Intent.THINGS_NEEDED: _article_question(_things_answer),
    Intent.OVERVIEW: _article_question(_overview_answer),
    Intent.ABOUT_AUTHOR: _article_question(_author_answer),
    Intent.HOLD_DURATION: _step_question(HOLD_SENTENCE, "The article does not say how long to hold the {title}."),
    Intent.REPETITIONS: _step_question(
        REPEAT_SENTENCE, "The article does not say how many times to repeat the {title}."
    ),
    Intent.ASK_ARTICLE: _ask_article,
}
