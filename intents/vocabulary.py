"""The intent names (public API) and the phrasings data they are recognised from."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Final

from errors import AssistantError

__all__ = ["Intent", "PHRASINGS_FILE", "load_phrasings", "phrasings_from_dict"]

PHRASINGS_FILE: Final = Path(__file__).parent / "phrasings.toml"


class PhrasingsError(AssistantError):
    """A phrasings file that is not what routing needs (an unknown intent, no examples)."""


class Intent(StrEnum):
    START_EXERCISE = "start_exercise"
    NEXT_STEP = "next_step"
    PREVIOUS_STEP = "previous_step"
    REPEAT_STEP = "repeat_step"
    GOTO_STEP = "goto_step"
    RESTART = "restart"
    STOP = "stop"
    LIST_EXERCISES = "list_exercises"
    WARNING = "warning"
    THINGS_NEEDED = "things_needed"
    HOLD_DURATION = "hold_duration"
    REPETITIONS = "repetitions"
    PROGRESS = "progress"
    OVERVIEW = "overview"
    ABOUT_AUTHOR = "about_author"
    PAIN = "pain"
    HELP = "help"
    GREETING = "greeting"
    THANKS = "thanks"
    SLOWER = "slower"
    FASTER = "faster"
    START_TIMER = "start_timer"
    STOP_TIMER = "stop_timer"
    COUNT_REP = "count_rep"
    READ_STEP = "read_step"
    READ_ALL_STEPS = "read_all_steps"
    PAUSE = "pause"
    RESUME = "resume"
    LOUDER = "louder"
    ACKNOWLEDGE = "acknowledge"
    ASK_ARTICLE = "ask_article"
    OUT_OF_SCOPE = "out_of_scope"


# Intents about the exercise being guided: tried first while one is in progress.
GUIDANCE_INTENTS: Final = frozenset(
    {
        Intent.NEXT_STEP,
        Intent.PREVIOUS_STEP,
        Intent.REPEAT_STEP,
        Intent.GOTO_STEP,
        Intent.RESTART,
        Intent.STOP,
        Intent.PROGRESS,
        Intent.HOLD_DURATION,
        Intent.REPETITIONS,
        Intent.WARNING,
        Intent.PAIN,
        Intent.THINGS_NEEDED,
        Intent.START_TIMER,
        Intent.STOP_TIMER,
        Intent.COUNT_REP,
        Intent.READ_STEP,
        Intent.READ_ALL_STEPS,
        Intent.PAUSE,
        Intent.RESUME,
    }
)
# Intents whose answer comes from the article, so an unknown exercise or body part
# named in them means we cannot answer: out of scope. Pain and warning are exempt:
# stopping and reading the warning is the safe answer whatever the body part.
CONTENT_INTENTS: Final = frozenset(
    {
        Intent.START_EXERCISE,
        Intent.GOTO_STEP,
        Intent.THINGS_NEEDED,
        Intent.HOLD_DURATION,
        Intent.REPETITIONS,
        Intent.OVERVIEW,
        Intent.LIST_EXERCISES,
        Intent.READ_STEP,
        Intent.READ_ALL_STEPS,
    }
)


def phrasings_from_dict(data: Mapping[str, object]) -> dict[Intent, tuple[str, ...]]:
    """Validate parsed phrasings data: known intent names, non-empty lists of strings."""
    phrasings: dict[Intent, tuple[str, ...]] = {}
    for name, table in data.items():
        try:
            intent = Intent(name)
        except ValueError as error:
            raise PhrasingsError(f"phrasings: unknown intent {name!r}") from error
        examples = table.get("examples") if isinstance(table, Mapping) else None
        if not examples or not all(isinstance(e, str) and e.strip() for e in examples):
            raise PhrasingsError(f"phrasings: {name} needs a non-empty list of examples")
        phrasings[intent] = tuple(examples)
    return phrasings


def load_phrasings(path: Path = PHRASINGS_FILE) -> dict[Intent, tuple[str, ...]]:
    with path.open("rb") as stream:
        return phrasings_from_dict(tomllib.load(stream))
