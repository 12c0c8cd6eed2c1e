"""What an adapter shows beside the messages: progress, quick replies and what to offer next.

Pure functions of the state; the Turn carries their result so no adapter derives them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from content import Library, Step
from content.measures import hold_seconds, repetitions
from intents import Intent

from .state import DialogueState, current_step, exercise_of

__all__ = ["OFFER_LABELS", "Progress", "View", "offers", "progress", "step_offers", "suggestions", "view"]

GUIDING_SUGGESTIONS: Final = ("Next", "Repeat", "Back", "Start over", "Stop")
OFFER_LABELS: Final[Mapping[Intent, str]] = MappingProxyType(
    {Intent.START_TIMER: "Start timer", Intent.COUNT_REP: "Done"}
)
"""A coach counts for you: the quick reply for each thing a step can offer."""


@dataclass(frozen=True, slots=True)
class Progress:
    exercise: str
    """The title of the exercise being guided."""
    slug: str
    step: int
    total: int


@dataclass(frozen=True, slots=True)
class View:
    progress: Progress | None
    """Where the person is, while an exercise is guided."""
    suggestions: tuple[str, ...]
    """Quick replies that fit the moment."""
    offers: tuple[Intent, ...]
    """What the current step offers to do (count a hold, count repetitions), with OFFER_LABELS."""


def view(state: DialogueState, library: Library) -> View:
    return View(progress(state, library), tuple(suggestions(state, library)), offers(state, library))


def progress(state: DialogueState, library: Library) -> Progress | None:
    if state.exercise is None:
        return None
    exercise = exercise_of(library, state.exercise)
    return Progress(exercise.title, exercise.slug, state.step, len(exercise.steps))


def suggestions(state: DialogueState, library: Library) -> list[str]:
    """Quick replies that fit the moment."""
    if state.pending:
        return [exercise_of(library, slug).title for slug in state.pending]
    if state.paused:
        return ["Resume", "Stop"]
    if state.exercise:
        return list(GUIDING_SUGGESTIONS)
    if state.after_pain:  # never offer straight back the exercise that hurt
        others = [e.title for e in library.exercises if e.slug != state.last_exercise]
        return [*others[:5], "List exercises"]
    return [e.title for e in library.exercises[:6]]


def offers(state: DialogueState, library: Library) -> tuple[Intent, ...]:
    """The current step's offers while it is guided and not paused."""
    step = current_step(state, library)
    return () if step is None or state.paused else step_offers(step)


def step_offers(step: Step) -> tuple[Intent, ...]:
    """A step that holds for a time offers the hold timer; one that repeats, the counter."""
    if hold_seconds(step.text):
        return (Intent.START_TIMER,)
    if repetitions(step.text):
        return (Intent.COUNT_REP,)
    return ()
