"""The hold timer and the repetition counter: a coach counts for you."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from content import Library
from content.measures import hold_seconds, repetitions
from intents import Intent, Match

from .guidance import next_step, nothing_in_progress
from .replies import Kind, info, spoken_number
from .state import Count, DialogueState, Handler, Reply, Timer, current_step

__all__ = ["HANDLERS"]


def _start_timer(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    step = current_step(state, library)
    if step is None:
        return nothing_in_progress(state, library)
    seconds = hold_seconds(step.text)
    if seconds is None:
        return state, Reply(
            (info(f"Step {step.number} does not say to hold for a time, so there is nothing to count."),)
        )
    return replace(state, timing=True), Reply(
        (
            info(
                f"Timer started: I will count to {seconds}.",
                speech=f"Timer started. I will count to {spoken_number(seconds)}.",
            ),
        ),
        timer=_timer(seconds),
        cancel_timer=state.timing,
    )


def _timer(seconds: int) -> Timer:
    """Counts every five seconds and the last three, then the end of the hold."""
    marks = sorted({*range(5, seconds, 5), *range(max(1, seconds - 2), seconds)})
    counts = [Count(t, info(str(t), speech=spoken_number(t))) for t in marks]
    end = f"{seconds}. Time is up: you can release the hold."
    counts.append(Count(seconds, info(end, speech=f"{spoken_number(seconds)}. Time is up. You can release the hold.")))
    return Timer(seconds, tuple(counts))


def stop_timer(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if not state.timing:
        return state, Reply((info("No timer is running."),))
    return replace(state, timing=False), Reply((info("Timer stopped."),), cancel_timer=True)


def _count_rep(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """ "Done" counts a repetition on a step that says to repeat; elsewhere it means "next"."""
    if state.timing and not state.paused:
        return stop_timer(state, outcome, library)  # "done" while the hold is counted
    step = current_step(state, library)
    target = repetitions(step.text) if step else None
    if step is None or target is None or state.reps >= target:
        return next_step(state, outcome, library)
    reps = state.reps + 1
    if reps < target:
        text, speech = f"Rep {reps} of {target}.", f"{spoken_number(reps).capitalize()}."
    else:
        text = f"That is {target} of {target}: all repetitions done. Say “next” to go on."
        speech = f"{spoken_number(target).capitalize()}. All repetitions done. Say next to go on."
    return replace(state, reps=reps), Reply((info(text, Kind.ANSWER, speech),))


HANDLERS: Final[dict[Intent, Handler]] = {
    Intent.START_TIMER: _start_timer,
    Intent.STOP_TIMER: stop_timer,
    Intent.COUNT_REP: _count_rep,
}
