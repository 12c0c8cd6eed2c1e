"""Small talk and settings: help, greetings, thanks, speaking rate, volume, acknowledgements, out of scope."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from content import Library
from intents import Intent, Match

from .replies import exercises_offered, info
from .state import RATES, DialogueState, Handler, Reply, exercise_of

__all__ = ["HANDLERS", "out_of_scope"]


def _help(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    example = library.exercises[0].title if library.exercises else "an exercise"
    text = (
        f"I guide you through exercises from the articles, one step at a time. Say “how do I do "
        f"the {example}” to start; then “next”, “back”, “repeat”, “go to step 3”, “start over” or "
        "“stop”. You can ask “how long do I hold it?”, “how many times?”, “what do I need?”, "
        "“is this safe?”, “what step am I on?” or “list exercises”."
    )
    return state, Reply((info(text),))


def _greeting(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise:
        return state, Reply((info("Hello! Say “next” when you are ready for the next step."),))
    example = library.exercises[0].title if library.exercises else "an exercise"
    return state, Reply((info(f"Hello! Say “list exercises”, or “how do I do the {example}”."),))


def _thanks(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    hint = "Say “next” to go on." if state.exercise else "Say “list exercises” to pick another."
    return state, Reply((info(f"You’re welcome. {hint}"),))


def _rate(step: int) -> Handler:
    def handle(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
        position = max(0, min(len(RATES) - 1, RATES.index(state.rate) + step))
        changed = replace(state, rate=RATES[position])
        word = "more slowly" if step < 0 else "faster"
        if changed.rate == state.rate:
            return state, Reply((info(f"I am already speaking as {'slowly' if step < 0 else 'fast'} as I can."),))
        return changed, Reply((info(f"OK, I will speak {word}."),))

    return handle


def out_of_scope(state: DialogueState, library: Library) -> tuple[DialogueState, Reply]:
    """Say what we can help with; guidance in progress carries on where it was."""
    text = "Sorry, I can only help with the exercises in my articles"
    text += f": {exercises_offered(library, state.exercise or state.last_exercise)}" if library.exercises else "."
    if state.exercise:
        title = exercise_of(library, state.exercise).title
        text += f" Say “next” to continue the {title}, or “help” for what you can say."
    else:
        text += " Say “help” for what you can say."
    return state, Reply((info(text),))


def _out_of_scope_match(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    return out_of_scope(state, library)


def _louder(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    text = "I can’t change the volume myself: please turn up the volume on your device."
    return state, Reply((info(text),))


def _acknowledge(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.paused:
        return state, Reply((info("Take your time. Say “resume” when you are ready."),))
    if state.exercise is None:
        example = library.exercises[0].title if library.exercises else "an exercise"
        return state, Reply((info(f"OK. Say “list exercises”, or “how do I do the {example}”."),))
    total = len(exercise_of(library, state.exercise).steps)
    if state.step >= total:
        return state, Reply((info("OK. That is the last step: say “next” when you have finished it."),))
    return state, Reply((info(f"OK. Say “next” when you are ready for step {state.step + 1}."),))


HANDLERS: Final[dict[Intent, Handler]] = {
    Intent.HELP: _help,
    Intent.GREETING: _greeting,
    Intent.THANKS: _thanks,
    Intent.SLOWER: _rate(-1),
    Intent.FASTER: _rate(+1),
    Intent.LOUDER: _louder,
    Intent.ACKNOWLEDGE: _acknowledge,
    Intent.OUT_OF_SCOPE: _out_of_scope_match,
}
