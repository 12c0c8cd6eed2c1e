"""The situations a spoken command is heard in, as data the listening side receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from content import Library
from content.measures import hold_seconds
from intents import Intent
from intents.vocabulary import GUIDANCE_INTENTS

from .state import DialogueState

__all__ = ["LISTENING", "Listening", "Situation", "listening_situation"]


@dataclass(frozen=True, slots=True)
class Listening:
    """What a spoken command may mean in one situation of the conversation."""

    unsaid: frozenset[Intent]
    """Intents it cannot mean here: speech recognition does not listen for them."""
    likelier: frozenset[Intent] = frozenset()
    """Intents said far more often here than the rest: speech recognition favours them."""


class Situation(StrEnum):
    IDLE = "idle"
    """Nothing guided (or a "which one?" question asked)."""
    GUIDING = "guiding"
    HOLD_STEP = "hold step"
    """Guiding a step that says to hold for a time, with no timer started."""
    TIMING = "timing"


_NO_TIMER: Final = frozenset({Intent.START_TIMER, Intent.STOP_TIMER})


LISTENING: Final[Mapping[Situation, Listening]] = MappingProxyType(
    {
        Situation.IDLE: Listening(_NO_TIMER),
        Situation.GUIDING: Listening(_NO_TIMER, GUIDANCE_INTENTS),
        Situation.HOLD_STEP: Listening(frozenset({Intent.STOP_TIMER}), GUIDANCE_INTENTS),
        Situation.TIMING: Listening(frozenset({Intent.START_TIMER}), GUIDANCE_INTENTS),
    }
)
"""The situations a spoken command is heard in. "stop timer" means nothing with no timer
started, nor "start timer" on a step with no hold or while the timer runs (to count again, a
person stops it first). Recognisers confuse the two, one vowel and one stop apart: British
voices' "start" fits the American acoustic model's "stop" better, so a British speaker could
never start a timer, and a high voice's "stop the timer" was heard as "start the timer".
While an exercise is guided, people mostly say guidance commands ("next", "go back"), not
"overview" or "slower", which short commands were otherwise heard as."""


def listening_situation(state: DialogueState, library: Library) -> Situation:
    """The key of LISTENING that holds now. While asking "which one?", the answer is an
    exercise's name, so nothing is favoured."""
    exercise = library.exercise(state.exercise) if state.exercise else None
    if exercise is None or not 1 <= state.step <= len(exercise.steps) or state.pending:
        return Situation.IDLE
    if state.timing:
        return Situation.TIMING
    if hold_seconds(exercise.steps[state.step - 1].text) is not None:
        return Situation.HOLD_STEP
    return Situation.GUIDING
