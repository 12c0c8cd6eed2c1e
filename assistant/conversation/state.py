"""What a conversation is at one moment, and what one turn says back: plain frozen values."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from content import Article, Exercise, Library, Step
from intents import Intent, Match

from ..rates import RATE_NAMES
from .replies import Message

__all__ = [
    "RATES",
    "Count",
    "DialogueState",
    "Handler",
    "Reply",
    "Timer",
    "Understood",
    "article_of",
    "current_step",
    "exercise_of",
]

RATES: Final = RATE_NAMES  # see assistant/rates.py


@dataclass(frozen=True, slots=True)
class DialogueState:
    exercise: str | None = None
    """Slug of the exercise being guided; None when nothing is in progress."""
    step: int = 0
    """Current step (1-based) of `exercise`; 0 when nothing is in progress."""
    last_exercise: str | None = None
    """The exercise most recently guided, for "start over" or questions after it ends."""
    pending: tuple[str, ...] = ()
    """Exercises offered in a "which one?" question, awaiting the answer."""
    pending_intent: Intent | None = None
    pending_step: int | None = None
    rate: str = "normal"
    """Speech rate the person asked for: slow, normal or fast."""
    timing: bool = False
    """A hold timer was started on the current step (the adapter runs the clock)."""
    reps: int = 0
    """Repetitions counted so far on the current step."""
    paused: bool = False
    """The person asked to pause: the place (and a running hold timer) wait for "resume"."""
    last_step: int = 0
    """The step `last_exercise` was stopped at, to carry on from after a stop or a pain stop."""
    after_pain: bool = False
    """Guidance was stopped because it hurt: do not offer the same exercise straight back."""


@dataclass(frozen=True, slots=True)
class Count:
    at: int
    """Seconds after the start of the hold."""
    message: Message


@dataclass(frozen=True, slots=True)
class Timer:
    """A hold to count aloud: the adapter speaks each count at its time."""

    seconds: int
    counts: tuple[Count, ...]


@dataclass(frozen=True, slots=True)
class Understood:
    """What a turn was understood as: the reading every adapter reports (API, terminal, CLI)."""

    intent: Intent
    """OUT_OF_SCOPE when nothing matched."""
    exercise: str | None = None
    """Slug of the exercise the turn is about."""
    step: int | None = None
    """The step the reply is about: the one delivered or read, else the current one."""
    total_steps: int | None = None
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Reply:
    messages: tuple[Message, ...]
    timer: Timer | None = None
    """Start counting this hold now."""
    cancel_timer: bool = False
    """Stop any hold being counted."""
    pause_timer: bool = False
    """Freeze the hold being counted where it is (the person paused)."""
    resume_timer: bool = False
    """Carry on counting a frozen hold."""


Handler = Callable[[DialogueState, Match, Library], tuple[DialogueState, Reply]]


def current_step(state: DialogueState, library: Library) -> Step | None:
    if state.exercise is None:
        return None
    return exercise_of(library, state.exercise).steps[state.step - 1]


def exercise_of(library: Library, slug: str) -> Exercise:
    exercise = library.exercise(slug)
    if exercise is None:  # _sane() removed unknown slugs, so this is a programming error
        raise LookupError(slug)
    return exercise


def article_of(library: Library, slug: str) -> Article:
    article = library.article_of(slug)
    if article is None:
        raise LookupError(slug)
    return article
