"""Guiding an exercise step by step: start (warning first), move, stop, pause, read without moving.

Safety first: the only way into an exercise is `_begin`, which always puts the article's
warning before the first step it delivers; pain stops guidance at once.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from content import Exercise, Library, Step
from content.numbers import ORDINAL_WORDS, UNIT_WORDS
from intents import Ambiguous, Context, Intent, Match, RouterIndex, normalize, route

from .replies import MAX_NAMED, Kind, Message, info, listing, spoken_number, step_message, warning_message
from .state import DialogueState, Handler, Reply, article_of, exercise_of
from .view import step_offers

__all__ = ["HANDLERS", "ask_which", "ask_which_exercise", "choose", "next_step", "not_heard", "nothing_in_progress"]

OFFER_SAID: Final = {  # what each offer of view.step_offers says
    Intent.START_TIMER: info("Say “start timer” and I will count the hold for you."),
    Intent.COUNT_REP: info("Say “done” after each repetition and I will count them."),
}

# "the first", "the third one", "the last": a place in the list just offered. The normaliser
# has made "second" ... "twelfth" digits; "one" and "first" stay words.
PLACES: Final = {
    UNIT_WORDS[1]: 0,
    ORDINAL_WORDS[1]: 0,
    "last": -1,
    **{str(n): n - 1 for n in range(1, MAX_NAMED + 1)},
}


def choose(state: DialogueState, text: str, index: RouterIndex) -> Match | None:
    """Resolve "which one?": by name ("the cobra one") or by position ("the first")."""
    outcome = route(text, index, Context())
    picked: str | None = None
    if isinstance(outcome, Match) and outcome.exercise in state.pending:
        picked = outcome.exercise
    elif isinstance(outcome, Ambiguous) and set(outcome.candidates) < set(state.pending):
        return None
    elif len(state.pending) == 1 and isinstance(outcome, Match) and outcome.intent is Intent.ACKNOWLEDGE:
        picked = state.pending[0]  # "Do you mean the Cobra Stretch?" "yes"
    else:
        words = normalize(text).replace(" one", "").split()
        position = PLACES.get(words[-1]) if len(words) == 1 else None
        if position is not None and position < len(state.pending):
            picked = state.pending[position]
    if picked is None:
        return None
    intent = state.pending_intent or Intent.START_EXERCISE
    return Match(intent, 100.0, picked, state.pending_step)


def ask_which(
    state: DialogueState,
    intent: Intent,
    candidates: tuple[str, ...],
    step: int | None,
    library: Library,
) -> tuple[DialogueState, Reply]:
    more = len(candidates) - MAX_NAMED
    candidates = candidates[:MAX_NAMED]  # the rest are chosen by saying more of a name
    titles = [exercise_of(library, slug).title for slug in candidates]
    text = f"Which one do you mean: {listing(titles, 'or')}?"
    if more > 0:
        text = f"Which one do you mean: {listing(titles, 'or')}? There are {more} more: say more of the name."
    elif len(titles) == 1:
        text = f"Do you mean the {titles[0]}? Say “yes”, or name another exercise."
    asked = replace(state, pending=candidates, pending_intent=intent, pending_step=step)
    return asked, Reply((info(text, Kind.QUESTION),))


def ask_which_exercise(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    return ask_which(state, outcome.intent, tuple(e.slug for e in library.exercises), outcome.step, library)


def _begin(state: DialogueState, slug: str, step: int, library: Library) -> tuple[DialogueState, Reply]:
    """Start (or restart) an exercise at `step`: the article's warning always comes first."""
    exercise = exercise_of(library, slug)
    article = article_of(library, slug)
    started = replace(state, exercise=slug, step=step, last_exercise=slug, paused=False, after_pain=False)
    first = exercise.steps[step - 1]
    return started, Reply((warning_message(article, exercise), step_message(exercise, first), *_offers(first)))


def _start_exercise(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if outcome.exercise is None:
        return ask_which_exercise(state, outcome, library)
    return _begin(state, outcome.exercise, 1, library)


def next_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.paused:
        return _resume(state, outcome, library)  # "ok, carry on" after a pause: the step they were on
    if state.exercise is None:
        return nothing_in_progress(state, library)
    exercise = exercise_of(library, state.exercise)
    if state.step >= len(exercise.steps):
        return _complete(state, exercise, library)
    return _show(state, exercise, state.step + 1)


def _previous_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return nothing_in_progress(state, library)
    exercise = exercise_of(library, state.exercise)
    if state.step <= 1:
        note = info("You are already at the first step.")
        return state, Reply((note, step_message(exercise, exercise.steps[0])))
    return _show(state, exercise, state.step - 1)


def _repeat_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return nothing_in_progress(state, library)
    return _show(state, exercise_of(library, state.exercise), state.step)


def _goto_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    slug = outcome.exercise or state.exercise
    if slug is None:
        return ask_which_exercise(state, outcome, library)
    exercise = exercise_of(library, slug)
    total = len(exercise.steps)
    number = total if outcome.step is None or outcome.step < 0 else outcome.step
    if not 1 <= number <= total:
        text = f"The {exercise.title} has {total} steps: say a step from 1 to {total}."
        speech = (
            f"The {exercise.title} has {spoken_number(total)} steps. Say a step from one to {spoken_number(total)}."
        )
        return state, Reply((info(text, speech=speech),))
    if slug != state.exercise:  # jumping into another exercise is a start: warning first
        return _begin(state, slug, number, library)
    return _show(state, exercise, number)


def _restart(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    slug = outcome.exercise or state.exercise or state.last_exercise
    if slug is None:
        return nothing_in_progress(state, library)
    return _begin(state, slug, 1, library)


def _stop(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return state, Reply((info("Nothing is in progress, so there is nothing to stop."),))
    title = exercise_of(library, state.exercise).title
    text = f"Stopped the {title}. Say “how do I do the {title}” whenever you want to start again."
    return _halted(state), Reply((info(text),))


def _halted(state: DialogueState, *, pain: bool = False) -> DialogueState:
    """Nothing guided any more; the place is kept so that "resume" can carry on from it."""
    if state.exercise is None:
        return replace(state, paused=False, after_pain=pain or state.after_pain)
    return replace(
        state, exercise=None, step=0, last_exercise=state.exercise, last_step=state.step, paused=False, after_pain=pain
    )


def _pain(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """Stop at once and give the article's warning: its own advice on pain. Never carry on."""
    slug = state.exercise or outcome.exercise or state.last_exercise
    stopped = _halted(state, pain=True)
    articles = [article_of(library, slug)] if slug else list(library.articles)
    title = exercise_of(library, slug).title if slug else None
    lead = f"Stopping the {title} now. " if state.exercise else ""
    messages = [info(f"{lead}Here is what the article says about pain and safety.")]
    messages += [warning_message(a) for a in articles]
    if state.exercise:  # a false stop costs one sentence; "next" alone never carries on after pain
        messages.append(
            info(f"If you are not in pain after all, say “I’m fine, carry on” to go back to step {state.step}.")
        )
    return stopped, Reply(tuple(messages), cancel_timer=state.timing)


def _show(state: DialogueState, exercise: Exercise, number: int) -> tuple[DialogueState, Reply]:
    step = exercise.steps[number - 1]
    return replace(state, step=number), Reply((step_message(exercise, step), *_offers(step)))


def _offers(step: Step) -> tuple[Message, ...]:
    """A coach counts for you: say what the step offers."""
    return tuple(OFFER_SAID[offer] for offer in step_offers(step))


def _complete(state: DialogueState, exercise: Exercise, library: Library) -> tuple[DialogueState, Reply]:
    others = [e.title for e in article_of(library, exercise.slug).exercises if e.slug != exercise.slug]
    text = f"That was the last step: the {exercise.title} is complete. Well done!"
    if others:
        text += f" You could try the {listing(others, 'or the')} next."
    done = replace(state, exercise=None, step=0, last_exercise=exercise.slug)
    return done, Reply((info(text, Kind.COMPLETE),))


def not_heard(state: DialogueState) -> tuple[DialogueState, Reply]:
    """Silence or noise came in: ask again, change nothing."""
    return state, Reply((info("Sorry, I didn’t catch that. Please say it again, or type it."),))


def nothing_in_progress(state: DialogueState, library: Library) -> tuple[DialogueState, Reply]:
    example = library.exercises[0].title if library.exercises else "an exercise"
    text = (
        f"No exercise is in progress. Say “how do I do the {example}” to start one, "
        "or “list exercises” to hear them all."
    )
    return state, Reply((info(text),))


def _pause(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return state, Reply((info("Nothing is in progress. Take your time; say “list exercises” when you are ready."),))
    title = exercise_of(library, state.exercise).title
    text = f"Paused at step {state.step} of the {title}. Take your time, and say “resume” when you are ready."
    speech = f"Paused at step {spoken_number(state.step)} of the {title}. Say resume when you are ready."
    return replace(state, paused=True), Reply((info(text, speech=speech),), pause_timer=state.timing)


def _resume(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """Carry on where the person was: the paused step, or (warning first) where it stopped."""
    if state.exercise is not None:
        exercise = exercise_of(library, state.exercise)
        step = exercise.steps[state.step - 1]
        lead = info("Welcome back. Here is where you were.") if state.paused else info("Here is where you are.")
        resumed = replace(state, paused=False)
        return resumed, Reply((lead, step_message(exercise, step)), resume_timer=state.paused and state.timing)
    if state.last_exercise and state.last_step:
        return _begin(state, state.last_exercise, state.last_step, library)
    return nothing_in_progress(state, library)


def _read_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """ "What does step 3 say": read it, stay where you are."""
    exercise = _read_about(state, outcome, library)
    if exercise is None:
        return ask_which_exercise(state, outcome, library)
    slug, total = exercise.slug, len(exercise.steps)
    number = total if outcome.step is None or outcome.step < 0 else outcome.step
    if not 1 <= number <= total:
        return _goto_step(state, replace(outcome, exercise=slug, step=number), library)
    step = exercise.steps[number - 1]
    text = f"Step {number} of the {exercise.title} says: {step.text}"
    speech = f"Step {spoken_number(number)} of the {exercise.title} says. {step.text}"
    return state, Reply((_about(info(text, Kind.ANSWER, speech), slug, number), *_still_here(state)))


def _read_all_steps(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """An overview of every step that does not move the position."""
    exercise = _read_about(state, outcome, library)
    if exercise is None:
        return ask_which_exercise(state, outcome, library)
    slug, total = exercise.slug, len(exercise.steps)
    text = f"The {exercise.title} has {total} steps. " + " ".join(f"Step {s.number}: {s.text}" for s in exercise.steps)
    speech = f"The {exercise.title} has {spoken_number(total)} steps. " + " ".join(
        f"Step {spoken_number(s.number)}. {s.text}" for s in exercise.steps
    )
    return state, Reply((_about(info(text, Kind.ANSWER, speech), slug, None), *_still_here(state)))


def _read_about(state: DialogueState, outcome: Match, library: Library) -> Exercise | None:
    """The exercise a reading is of: the one named, else the one guided, else the last one."""
    slug = outcome.exercise or state.exercise or state.last_exercise
    return exercise_of(library, slug) if slug else None


def _about(message: Message, slug: str, step: int | None) -> Message:
    return replace(message, exercise=slug, step=step)


def _still_here(state: DialogueState) -> tuple[Message, ...]:
    if state.exercise is None:
        return ()
    return (info(f"You are still on step {state.step}. Say “next” when you are ready."),)


HANDLERS: Final[dict[Intent, Handler]] = {
    Intent.START_EXERCISE: _start_exercise,
    Intent.NEXT_STEP: next_step,
    Intent.PREVIOUS_STEP: _previous_step,
    Intent.REPEAT_STEP: _repeat_step,
    Intent.GOTO_STEP: _goto_step,
    Intent.RESTART: _restart,
    Intent.STOP: _stop,
    Intent.PAIN: _pain,
    Intent.PAUSE: _pause,
    Intent.RESUME: _resume,
    Intent.READ_STEP: _read_step,
    Intent.READ_ALL_STEPS: _read_all_steps,
}
