"""Make a conversation state fit the library it is used with: articles change between turns.

A session token can outlive an edit of the articles (steps cut, an exercise renamed or
removed). `repair(state, library)` runs before the dialogue on every request and returns
a state the dialogue can always act on, plus at most one plain message saying what changed.
It never restarts an exercise by itself: the only way into one is the dialogue's start,
which puts the article's warning first. Pure: no I/O, no Flask.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from content import Library

from .replies import Message, info
from .state import DialogueState

__all__ = ["EXPIRED", "repair"]

EXPIRED: Final = info("It has been a while since we last talked, so this is a new conversation.")
"""Said when a session token is past its idle time (the app's SESSION_IDLE_SECONDS)."""

GONE: Final = info(
    "The exercise we were doing is no longer in the articles, so I have stopped it. "
    "Say “list exercises” to hear what there is."
)
CHOICES_GONE: Final = info(
    "The exercises I asked you to choose from have changed since we last talked. Please ask again."
)


def repair(state: DialogueState, library: Library) -> tuple[DialogueState, Message | None]:
    """`state` with whatever no longer fits `library` undone, and the message that says so
    (None when nothing a person would notice changed)."""
    state, notice = _repair_exercise(state, library)
    state, choices_notice = _repair_choices(state, library)
    return _repair_last(state, library), notice or choices_notice


def _repair_last(state: DialogueState, library: Library) -> DialogueState:
    """The place kept for "resume" must still be a step of an exercise there is."""
    last = library.exercise(state.last_exercise) if state.last_exercise else None
    if last is None:
        return replace(state, last_exercise=None, last_step=0, after_pain=False)
    if not 0 <= state.last_step <= len(last.steps):
        return replace(state, last_step=0)
    return state


def _repair_exercise(state: DialogueState, library: Library) -> tuple[DialogueState, Message | None]:
    """The guided exercise must exist and the step be one of its steps; else stop it."""
    if state.exercise is None:
        if state.step or state.timing or state.reps:
            return _stopped(state, last=state.last_exercise), None
        return state, None
    exercise = library.exercise(state.exercise)
    if exercise is None:
        return _stopped(state, last=None), GONE
    if not 1 <= state.step <= len(exercise.steps):
        text = (
            f"The {exercise.title} changed since we last talked (it has {len(exercise.steps)} steps now), "
            "so I have stopped it. Say “start over” to begin it again, warning first."
        )
        return _stopped(state, last=exercise.slug), info(text)
    return state, None


def _repair_choices(state: DialogueState, library: Library) -> tuple[DialogueState, Message | None]:
    """A pending "which one?" only makes sense while every exercise it offered exists."""
    if not state.pending and state.pending_intent is None and state.pending_step is None:
        return state, None
    if state.pending and all(library.exercise(slug) is not None for slug in state.pending):
        return state, None
    cleared = replace(state, pending=(), pending_intent=None, pending_step=None)
    return cleared, CHOICES_GONE if state.pending else None


def _stopped(state: DialogueState, *, last: str | None) -> DialogueState:
    """Nothing guided, no timer or count running; other fields (rate, ...) are kept."""
    return replace(state, exercise=None, step=0, timing=False, reps=0, paused=False, last_exercise=last, last_step=0)
