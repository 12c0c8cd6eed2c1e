"""Messages the assistant sends: text for the eye, speech for the ear, built from the article's words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from content import Article, Exercise, Library, Step
from content.measures import number_words

__all__ = ["Kind", "Message", "speakable", "spoken_number"]


class Kind(StrEnum):
    WARNING = "warning"
    STEP = "step"
    ANSWER = "answer"
    QUESTION = "question"
    COMPLETE = "complete"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Message:
    kind: Kind
    text: str
    """For display."""
    speech: str
    """The same content written for the ear: numbers as words, no symbols."""
    exercise: str | None = None
    """Slug of the exercise a warning or step belongs to."""
    step: int | None = None
    heading: str | None = None
    """A label the text opens with ("Step 2 of 4"), for adapters that show it apart."""

    @property
    def body(self) -> str:
        """The text after its heading."""
        return self.text.removeprefix(f"{self.heading}: ") if self.heading else self.text


SYMBOLS: Final = (
    (re.compile(r"\band/or\b"), "and or"),
    (re.compile(r"\be\.g\."), "for example"),
    (re.compile(r"\bi\.e\."), "that is"),
    (re.compile(r"&"), " and "),
    (re.compile(r"%"), " percent"),
    (re.compile(r"°"), " degrees"),
    (re.compile(r"(?<=\w)/(?=\w)"), " or "),
    (re.compile(r"[‘’]"), "'"),  # keep "you're" whole for the ear
    (re.compile(r"[*_#<>|\[\]{}`~^\\\"“”]"), " "),
    (re.compile(r"\s*[\u2013\u2014]\s*"), ", "),
)


def spoken_number(n: int) -> str:
    """1 -> 'one', 42 -> 'forty-two' (for the ear)."""
    return number_words(n)


def speakable(text: str) -> str:
    """Text for the ear: symbols spelled out, markup removed, whitespace tidy."""
    for pattern, words in SYMBOLS:
        text = pattern.sub(words, text)
    return " ".join(text.split())


def info(text: str, kind: Kind = Kind.INFO, speech: str | None = None) -> Message:
    return Message(kind, text, speakable(speech if speech is not None else text))


def warning_message(article: Article, exercise: Exercise | None = None) -> Message:
    """The article's whole warning, verbatim; or a plain statement that it has none."""
    slug = exercise.slug if exercise else None
    if not article.warnings:
        text = f"The article “{article.title}” gives no safety warning."
        return Message(Kind.INFO, text, speakable(text), slug)
    text = "\n\n".join(article.warnings)
    return Message(Kind.WARNING, text, speakable("Safety warning. " + " ".join(article.warnings)), slug)


def step_message(exercise: Exercise, step: Step) -> Message:
    total = len(exercise.steps)
    heading = f"Step {step.number} of {total}"
    return Message(
        Kind.STEP,
        f"{heading}: {step.text}",
        speakable(f"Step {spoken_number(step.number)} of {spoken_number(total)}. {step.text}"),
        exercise.slug,
        step.number,
        heading,
    )


def listing(titles: list[str], conjunction: str = "and") -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(titles) <= 1:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} {conjunction} {titles[-1]}"


MAX_LISTED: Final = 12
"""A library this small is read out whole; a longer list is not heard to its end."""
MAX_NAMED: Final = 5
"""Exercises named in one reply of a large library: about as many as a listener keeps in mind."""
MAX_ARTICLES_LISTED: Final = 8


def exercises_by_article(library: Library) -> str:
    """Every exercise, grouped by article when there are several."""
    if len(library.articles) == 1:
        return listing([e.title for e in library.articles[0].exercises]) + "."
    return " ".join(f"From “{a.title}”: {listing([e.title for e in a.exercises])}." for a in library.articles)


def exercises_offered(library: Library, around: str | None) -> str:
    """The exercises to name in a reply: all of a small library; of a large one a few (of the
    article of `around`, the exercise in progress, else the first article) and how to hear more."""
    if len(library.exercises) <= MAX_LISTED:
        return exercises_by_article(library)
    article = (library.article_of(around) if around else None) or library.articles[0]
    shown = [e.title for e in article.exercises][:MAX_NAMED]
    more = len(library.exercises) - len(shown)
    return f"{listing(shown)}, and {more} more: say “list exercises”, or what you want to stretch."


def articles_listed(library: Library) -> str:
    """ "list exercises" in a library too large to read out: its articles, a few at a time."""
    titles = [f"“{a.title}”" for a in library.articles[:MAX_ARTICLES_LISTED]]
    more = len(library.articles) - len(titles)
    counts = f"{len(library.exercises)} exercises in {len(library.articles)} articles"
    text = f"There are {counts}, among them {listing(titles)}"
    text += f" and {more} more." if more else "."
    return text + " Say an exercise's name, or what you want to stretch (“something for my calves”)."


def library_speech(library: Library) -> list[str]:
    """The spoken form of every warning and step: what is worth rendering ahead of time."""
    texts = [warning_message(a).speech for a in library.articles]
    texts += [step_message(e, s).speech for e in library.exercises for s in e.steps]
    return texts
