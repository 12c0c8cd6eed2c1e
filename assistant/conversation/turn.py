"""One utterance in, one Turn out: respond(state, text, library, index) routes, advances, reports.

`advance(state, outcome, library)` is the transition function, pure; each handler lives with
its concern (guidance, questions, timing, talk) and is found by intent in one table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from content import Library
from intents import Ambiguous, Context, Intent, Match, NoMatch, Outcome, RouterIndex, route

from . import guidance, questions, talk, timing
from .guidance import ask_which, choose, not_heard
from .replies import Message
from .situations import Situation, listening_situation
from .state import DialogueState, Handler, Reply, Timer, Understood
from .talk import out_of_scope
from .view import View, view

__all__ = ["HANDLERS", "Turn", "advance", "respond", "understood"]


@dataclass(frozen=True, slots=True)
class Turn:
    """The whole result of one utterance: every adapter renders this and derives nothing."""

    state: DialogueState
    """The conversation after the turn: the adapter keeps it (the web signs it into a token)."""
    messages: tuple[Message, ...]
    understood: Understood
    view: View
    listening: Situation
    """What the next spoken command is heard as (see situations.py)."""
    timer: Timer | None = None
    """Start counting this hold now."""
    cancel_timer: bool = False
    """Stop any hold being counted."""
    pause_timer: bool = False
    """Freeze the hold being counted where it is (the person paused)."""
    resume_timer: bool = False
    """Carry on counting a frozen hold."""


def respond(
    state: DialogueState, text: str, library: Library, index: RouterIndex, *, notice: Message | None = None
) -> Turn:
    """Route what was said in the light of the conversation, then advance. Silence (an empty
    transcript) asks again and changes nothing. `notice` (the session expired, the content
    changed) is said first."""
    if not text.strip():
        new, reply = not_heard(state)
        return _turn(new, reply, Understood(Intent.OUT_OF_SCOPE), library, notice)
    outcome = choose(state, text, index) if state.pending else None
    if outcome is None:
        outcome = route(text, index, Context(current_exercise=state.exercise))
    new, reply = advance(state, outcome, library)
    return _turn(new, reply, understood(outcome, state, new, reply, library), library, notice)


def _turn(state: DialogueState, reply: Reply, reading: Understood, library: Library, notice: Message | None) -> Turn:
    return Turn(
        state=state,
        messages=reply.messages if notice is None else (notice, *reply.messages),
        understood=reading,
        view=view(state, library),
        listening=listening_situation(state, library),
        timer=reply.timer,
        cancel_timer=reply.cancel_timer,
        pause_timer=reply.pause_timer,
        resume_timer=reply.resume_timer,
    )


def understood(
    outcome: Outcome, old: DialogueState, state: DialogueState, reply: Reply, library: Library
) -> Understood:
    """The reading of a turn: its intent, and the exercise and step the reply is about."""
    if isinstance(outcome, NoMatch):
        return Understood(Intent.OUT_OF_SCOPE, score=outcome.score)
    delivered = next((m for m in reversed(reply.messages) if m.exercise and m.step), None)
    slug = delivered.exercise if delivered else None
    if slug is None and isinstance(outcome, Match):
        slug = outcome.exercise or state.exercise or old.exercise
    exercise = library.exercise(slug) if slug else None
    if exercise is None:
        return Understood(outcome.intent, score=outcome.score)
    step = delivered.step if delivered else (outcome.step if isinstance(outcome, Match) else None)
    if step is None and slug == state.exercise and state.step:
        step = state.step
    return Understood(outcome.intent, slug, step, len(exercise.steps), outcome.score)


def advance(state: DialogueState, outcome: Outcome, library: Library) -> tuple[DialogueState, Reply]:
    """One turn: the new state and the reply. Pure."""
    state = _sane(state, library)
    if isinstance(outcome, NoMatch):
        return out_of_scope(replace(state, pending=(), pending_intent=None), library)
    if isinstance(outcome, Ambiguous):
        return ask_which(state, outcome.intent, outcome.candidates, outcome.step, library)
    cleared = replace(state, pending=(), pending_intent=None, pending_step=None)
    new, reply = HANDLERS[outcome.intent](cleared, outcome, library)
    return _moved_on(state, new, reply)


def _moved_on(old: DialogueState, new: DialogueState, reply: Reply) -> tuple[DialogueState, Reply]:
    """Leaving a step (next, back, stop, pain, another exercise) cancels its timer and count."""
    if (old.exercise, old.step) == (new.exercise, new.step):
        return new, reply
    moved = replace(new, timing=False, reps=0, paused=False)
    return moved, replace(reply, cancel_timer=old.timing or reply.cancel_timer)


def _sane(state: DialogueState, library: Library) -> DialogueState:
    """A state that names exercises the library no longer has (content changed) starts afresh."""
    known = {e.slug for e in library.exercises}
    if (state.exercise and state.exercise not in known) or any(p not in known for p in state.pending):
        return DialogueState(rate=state.rate)
    if state.last_exercise and state.last_exercise not in known:
        return replace(state, last_exercise=None)
    return state


HANDLERS: Final[dict[Intent, Handler]] = {**guidance.HANDLERS, **questions.HANDLERS, **talk.HANDLERS, **timing.HANDLERS}
