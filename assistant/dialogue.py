"""The conversation as a transition function: advance(state, outcome, library) -> (state, reply).

Safety first: the only way into an exercise is `_begin`, which always puts the article's
warning before the first step it delivers. Replies are deterministic, built from the
article's own sentences; our own words only frame them ("Step 2 of 4:").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from content import Article, Exercise, Library, Step
from content.measures import hold_seconds, repetitions
from intents import Ambiguous, Context, Intent, Match, NoMatch, Outcome, RouterIndex, normalize, route
from intents.vocabulary import GUIDANCE_INTENTS

from .replies import (
    Kind,
    Message,
    exercises_by_article,
    info,
    listing,
    spoken_number,
    step_message,
    warning_message,
)

__all__ = [
    "Count",
    "DialogueState",
    "Reply",
    "Timer",
    "Understood",
    "LISTENING",
    "Listening",
    "Situation",
    "advance",
    "listening_situation",
    "not_heard",
    "progress",
    "respond",
    "suggestions",
    "understood",
]

RATES: Final = ("slow", "normal", "fast")
HOLD_SENTENCE: Final = re.compile(
    r"\bhold\b[^.]*\b(count|seconds?|minutes?|breaths?)\b|\b(seconds?|minutes?|breaths?)\b", re.I
)
REPEAT_SENTENCE: Final = re.compile(r"\b(repeat|reps|repetitions|sets|times)\b", re.I)
ORDINALS: Final = {"first": 0, "1": 0, "one": 0, "2": 1, "3": 2, "4": 3, "5": 4, "last": -1}
GUIDING_SUGGESTIONS: Final = ("Next", "Repeat", "Back", "Start over", "Stop")


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
    understood: Understood | None = None


Handler = Callable[[DialogueState, Match, Library], tuple[DialogueState, Reply]]


def respond(state: DialogueState, text: str, library: Library, index: RouterIndex) -> tuple[DialogueState, Reply]:
    """Route what was said in the light of the conversation, then advance; the reply says what
    was understood. Silence (an empty transcript) asks again and changes nothing."""
    if not text.strip():
        new, reply = not_heard(state)
        return new, replace(reply, understood=Understood(Intent.OUT_OF_SCOPE))
    outcome = _choose(state, text, index) if state.pending else None
    if outcome is None:
        outcome = route(text, index, Context(current_exercise=state.exercise))
    new, reply = advance(state, outcome, library)
    return new, replace(reply, understood=understood(outcome, state, new, reply, library))


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
        return _out_of_scope(replace(state, pending=(), pending_intent=None), library)
    if isinstance(outcome, Ambiguous):
        return _ask_which(state, outcome.intent, outcome.candidates, outcome.step, library)
    cleared = replace(state, pending=(), pending_intent=None, pending_step=None)
    new, reply = HANDLERS.get(outcome.intent, _out_of_scope_match)(cleared, outcome, library)
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


# --- clarification -----------------------------------------------------------------------


def _choose(state: DialogueState, text: str, index: RouterIndex) -> Match | None:
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
        position = ORDINALS.get(words[-1]) if len(words) == 1 else None
        if position is not None and position < len(state.pending):
            picked = state.pending[position]
    if picked is None:
        return None
    intent = state.pending_intent or Intent.START_EXERCISE
    return Match(intent, 100.0, picked, state.pending_step)


def _ask_which(
    state: DialogueState,
    intent: Intent,
    candidates: tuple[str, ...],
    step: int | None,
    library: Library,
) -> tuple[DialogueState, Reply]:
    titles = [_exercise(library, slug).title for slug in candidates]
    text = f"Which one do you mean: {listing(titles, 'or')}?"
    if len(titles) == 1:
        text = f"Do you mean the {titles[0]}? Say “yes”, or name another exercise."
    asked = replace(state, pending=candidates, pending_intent=intent, pending_step=step)
    return asked, Reply((info(text, Kind.QUESTION),))


def _ask_which_exercise(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    return _ask_which(state, outcome.intent, tuple(e.slug for e in library.exercises), outcome.step, library)


# --- guidance ------------------------------------------------------------------------------


def _begin(state: DialogueState, slug: str, step: int, library: Library) -> tuple[DialogueState, Reply]:
    """Start (or restart) an exercise at `step`: the article's warning always comes first."""
    exercise = _exercise(library, slug)
    article = _article(library, slug)
    started = replace(state, exercise=slug, step=step, last_exercise=slug, paused=False, after_pain=False)
    first = exercise.steps[step - 1]
    return started, Reply((warning_message(article, exercise), step_message(exercise, first), *_offers(first)))


def _start_exercise(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if outcome.exercise is None:
        return _ask_which_exercise(state, outcome, library)
    return _begin(state, outcome.exercise, 1, library)


def _next_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.paused:
        return _resume(state, outcome, library)  # "ok, carry on" after a pause: the step they were on
    if state.exercise is None:
        return _nothing_in_progress(state, library)
    exercise = _exercise(library, state.exercise)
    if state.step >= len(exercise.steps):
        return _complete(state, exercise, library)
    return _show(state, exercise, state.step + 1)


def _previous_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return _nothing_in_progress(state, library)
    exercise = _exercise(library, state.exercise)
    if state.step <= 1:
        note = info("You are already at the first step.")
        return state, Reply((note, step_message(exercise, exercise.steps[0])))
    return _show(state, exercise, state.step - 1)


def _repeat_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return _nothing_in_progress(state, library)
    return _show(state, _exercise(library, state.exercise), state.step)


def _goto_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    slug = outcome.exercise or state.exercise
    if slug is None:
        return _ask_which_exercise(state, outcome, library)
    exercise = _exercise(library, slug)
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
        return _nothing_in_progress(state, library)
    return _begin(state, slug, 1, library)


def _stop(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return state, Reply((info("Nothing is in progress, so there is nothing to stop."),))
    title = _exercise(library, state.exercise).title
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
    articles = [_article(library, slug)] if slug else list(library.articles)
    title = _exercise(library, slug).title if slug else None
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
    """A coach counts for you: offer it when the step holds for a time or repeats."""
    if hold_seconds(step.text):
        return (info("Say “start timer” and I will count the hold for you."),)
    if repetitions(step.text):
        return (info("Say “done” after each repetition and I will count them."),)
    return ()


def _complete(state: DialogueState, exercise: Exercise, library: Library) -> tuple[DialogueState, Reply]:
    others = [e.title for e in _article(library, exercise.slug).exercises if e.slug != exercise.slug]
    text = f"That was the last step: the {exercise.title} is complete. Well done!"
    if others:
        text += f" You could try the {listing(others, 'or the')} next."
    done = replace(state, exercise=None, step=0, last_exercise=exercise.slug)
    return done, Reply((info(text, Kind.COMPLETE),))


def not_heard(state: DialogueState) -> tuple[DialogueState, Reply]:
    """Silence or noise came in: ask again, change nothing."""
    return state, Reply((info("Sorry, I didn’t catch that. Please say it again, or type it."),))


def _nothing_in_progress(state: DialogueState, library: Library) -> tuple[DialogueState, Reply]:
    example = library.exercises[0].title if library.exercises else "an exercise"
    text = (
        f"No exercise is in progress. Say “how do I do the {example}” to start one, "
        "or “list exercises” to hear them all."
    )
    return state, Reply((info(text),))


# --- questions answered from the article ---------------------------------------------------


def _subject(state: DialogueState, outcome: Match) -> str | None:
    return outcome.exercise or state.exercise or state.last_exercise


def _article_question(answer: Callable[[Article], Message]) -> Handler:
    """Questions about the whole article: with one article there is no need to ask which."""

    def handle(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
        slug = _subject(state, outcome)
        if slug is None and len(library.articles) == 1:
            return state, Reply((answer(library.articles[0]),))
        if slug is None:
            return _ask_which_exercise(state, outcome, library)
        return state, Reply((answer(_article(library, slug)),))

    return handle


def _step_question(pattern: re.Pattern[str], missing: str) -> Handler:
    """Questions answered by the sentences of the exercise's steps that match `pattern`."""

    def handle(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
        slug = _subject(state, outcome)
        if slug is None:
            return _ask_which_exercise(state, outcome, library)
        exercise = _exercise(library, slug)
        found = [
            (step.number, sentence)
            for step in exercise.steps
            for sentence in re.split(r"(?<=[.!?])\s+", step.text)
            if pattern.search(sentence)
        ]
        if not found:
            text = missing.format(title=exercise.title)
            return state, Reply((info(text, Kind.ANSWER),))
        quoted = " ".join(f"Step {n}: “{s}”" for n, s in found)
        spoken = " ".join(f"In step {spoken_number(n)}: {s}" for n, s in found)
        text = f"The article says, for the {exercise.title}: {quoted}"
        return state, Reply((info(text, Kind.ANSWER, f"For the {exercise.title}, the article says. {spoken}"),))

    return handle


def _warning_answer(article: Article) -> Message:
    return warning_message(article)


def _things_answer(article: Article) -> Message:
    if not article.things_needed:
        return info(f"The article “{article.title}” does not list anything you need.", Kind.ANSWER)
    return info(f"For “{article.title}” you need: {listing(list(article.things_needed))}.", Kind.ANSWER)


def _overview_answer(article: Article) -> Message:
    if not article.intro:
        return info(f"The article “{article.title}” has no introduction.", Kind.ANSWER)
    return info(article.intro, Kind.ANSWER)


def _author_answer(article: Article) -> Message:
    if not article.author:
        return info(f"The article “{article.title}” does not say who wrote it.", Kind.ANSWER)
    return info(article.author, Kind.ANSWER)


def _progress(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return _nothing_in_progress(state, library)
    exercise = _exercise(library, state.exercise)
    total = len(exercise.steps)
    text = f"You are on step {state.step} of {total} of the {exercise.title}."
    speech = f"You are on step {spoken_number(state.step)} of {spoken_number(total)} of the {exercise.title}."
    return state, Reply((info(text, Kind.ANSWER, speech),))


def _list_exercises(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if not library.exercises:
        return state, Reply((info("No articles are loaded, so there are no exercises yet."),))
    return state, Reply((info("The exercises are: " + exercises_by_article(library), Kind.ANSWER),))


# --- small talk and settings ---------------------------------------------------------------


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


def _out_of_scope(state: DialogueState, library: Library) -> tuple[DialogueState, Reply]:
    """Say what we can help with; guidance in progress carries on where it was."""
    text = "Sorry, I can only help with the exercises in my articles"
    text += f": {exercises_by_article(library)}" if library.exercises else "."
    if state.exercise:
        title = _exercise(library, state.exercise).title
        text += f" Say “next” to continue the {title}, or “help” for what you can say."
    else:
        text += " Say “help” for what you can say."
    return state, Reply((info(text),))


def _out_of_scope_match(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    return _out_of_scope(state, library)


# --- hold timer and repetition counter --------------------------------------------------------


def _current_step(state: DialogueState, library: Library) -> Step | None:
    if state.exercise is None:
        return None
    return _exercise(library, state.exercise).steps[state.step - 1]


def _start_timer(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    step = _current_step(state, library)
    if step is None:
        return _nothing_in_progress(state, library)
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


def _stop_timer(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if not state.timing:
        return state, Reply((info("No timer is running."),))
    return replace(state, timing=False), Reply((info("Timer stopped."),), cancel_timer=True)


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


def _count_rep(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """ "Done" counts a repetition on a step that says to repeat; elsewhere it means "next"."""
    if state.timing and not state.paused:
        return _stop_timer(state, outcome, library)  # "done" while the hold is counted
    step = _current_step(state, library)
    target = repetitions(step.text) if step else None
    if step is None or target is None or state.reps >= target:
        return _next_step(state, outcome, library)
    reps = state.reps + 1
    if reps < target:
        text, speech = f"Rep {reps} of {target}.", f"{spoken_number(reps).capitalize()}."
    else:
        text = f"That is {target} of {target}: all repetitions done. Say “next” to go on."
        speech = f"{spoken_number(target).capitalize()}. All repetitions done. Say next to go on."
    return replace(state, reps=reps), Reply((info(text, Kind.ANSWER, speech),))


# --- pause and resume, reading without moving, talk ------------------------------------------


def _pause(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.exercise is None:
        return state, Reply((info("Nothing is in progress. Take your time; say “list exercises” when you are ready."),))
    title = _exercise(library, state.exercise).title
    text = f"Paused at step {state.step} of the {title}. Take your time, and say “resume” when you are ready."
    speech = f"Paused at step {spoken_number(state.step)} of the {title}. Say resume when you are ready."
    return replace(state, paused=True), Reply((info(text, speech=speech),), pause_timer=state.timing)


def _resume(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """Carry on where the person was: the paused step, or (warning first) where it stopped."""
    if state.exercise is not None:
        exercise = _exercise(library, state.exercise)
        step = exercise.steps[state.step - 1]
        lead = info("Welcome back. Here is where you were.") if state.paused else info("Here is where you are.")
        resumed = replace(state, paused=False)
        return resumed, Reply((lead, step_message(exercise, step)), resume_timer=state.paused and state.timing)
    if state.last_exercise and state.last_step:
        return _begin(state, state.last_exercise, state.last_step, library)
    return _nothing_in_progress(state, library)


def _read_step(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """ "What does step 3 say": read it, stay where you are."""
    slug = outcome.exercise or state.exercise or state.last_exercise
    if slug is None:
        return _ask_which_exercise(state, outcome, library)
    exercise = _exercise(library, slug)
    total = len(exercise.steps)
    number = total if outcome.step is None or outcome.step < 0 else outcome.step
    if not 1 <= number <= total:
        return _goto_step(state, replace(outcome, exercise=slug, step=number), library)
    step = exercise.steps[number - 1]
    text = f"Step {number} of the {exercise.title} says: {step.text}"
    speech = f"Step {spoken_number(number)} of the {exercise.title} says. {step.text}"
    return state, Reply((_about(info(text, Kind.ANSWER, speech), slug, number), *_still_here(state)))


def _read_all_steps(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """An overview of every step that does not move the position."""
    slug = outcome.exercise or state.exercise or state.last_exercise
    if slug is None:
        return _ask_which_exercise(state, outcome, library)
    exercise = _exercise(library, slug)
    total = len(exercise.steps)
    text = f"The {exercise.title} has {total} steps. " + " ".join(f"Step {s.number}: {s.text}" for s in exercise.steps)
    speech = f"The {exercise.title} has {spoken_number(total)} steps. " + " ".join(
        f"Step {spoken_number(s.number)}. {s.text}" for s in exercise.steps
    )
    return state, Reply((_about(info(text, Kind.ANSWER, speech), slug, None), *_still_here(state)))


def _about(message: Message, slug: str, step: int | None) -> Message:
    return replace(message, exercise=slug, step=step)


def _still_here(state: DialogueState) -> tuple[Message, ...]:
    if state.exercise is None:
        return ()
    return (info(f"You are still on step {state.step}. Say “next” when you are ready."),)


def _louder(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    text = "I can’t change the volume myself: please turn up the volume on your device."
    return state, Reply((info(text),))


def _acknowledge(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    if state.paused:
        return state, Reply((info("Take your time. Say “resume” when you are ready."),))
    if state.exercise is None:
        example = library.exercises[0].title if library.exercises else "an exercise"
        return state, Reply((info(f"OK. Say “list exercises”, or “how do I do the {example}”."),))
    total = len(_exercise(library, state.exercise).steps)
    if state.step >= total:
        return state, Reply((info("OK. That is the last step: say “next” when you have finished it."),))
    return state, Reply((info(f"OK. Say “next” when you are ready for step {state.step + 1}."),))


def _ask_article(state: DialogueState, outcome: Match, library: Library) -> tuple[DialogueState, Reply]:
    """A question answered with the article's own sentences, never with words of ours."""
    subject = _subject(state, outcome)
    article = library.article_of(subject) if subject else None
    passages = [p for p in outcome.passages if article is None or p.article == article.slug] or list(outcome.passages)
    if not passages:
        return state, Reply((info("The article does not say.", Kind.ANSWER),))
    source = next(a for a in library.articles if a.slug == passages[0].article)
    quoted = " ".join(p.text for p in passages if p.article == source.slug)
    text = f"The article “{source.title}” says: {quoted}"
    return state, Reply((info(text, Kind.ANSWER, f"The article says. {quoted}"),))


# --- views for adapters ----------------------------------------------------------------------


def progress(state: DialogueState, library: Library) -> dict | None:
    """{"exercise", "slug", "step", "total"} while guiding, else None."""
    if state.exercise is None:
        return None
    exercise = _exercise(library, state.exercise)
    return {"exercise": exercise.title, "slug": exercise.slug, "step": state.step, "total": len(exercise.steps)}


def suggestions(state: DialogueState, library: Library) -> list[str]:
    """Quick replies that fit the moment."""
    if state.pending:
        return [_exercise(library, slug).title for slug in state.pending]
    if state.paused:
        return ["Resume", "Stop"]
    if state.exercise:
        return list(GUIDING_SUGGESTIONS)
    if state.after_pain:  # never offer straight back the exercise that hurt
        others = [e.title for e in library.exercises if e.slug != state.last_exercise]
        return [*others[:5], "List exercises"]
    return [e.title for e in library.exercises[:6]]


def _exercise(library: Library, slug: str) -> Exercise:
    exercise = library.exercise(slug)
    if exercise is None:  # _sane() removed unknown slugs, so this is a programming error
        raise LookupError(slug)
    return exercise


def _article(library: Library, slug: str) -> Article:
    article = library.article_of(slug)
    if article is None:
        raise LookupError(slug)
    return article


HANDLERS: Final[dict[Intent, Handler]] = {
    Intent.START_EXERCISE: _start_exercise,
    Intent.NEXT_STEP: _next_step,
    Intent.PREVIOUS_STEP: _previous_step,
    Intent.REPEAT_STEP: _repeat_step,
    Intent.GOTO_STEP: _goto_step,
    Intent.RESTART: _restart,
    Intent.STOP: _stop,
    Intent.PAIN: _pain,
    Intent.PROGRESS: _progress,
    Intent.LIST_EXERCISES: _list_exercises,
    Intent.WARNING: _article_question(_warning_answer),
    Intent.THINGS_NEEDED: _article_question(_things_answer),
    Intent.OVERVIEW: _article_question(_overview_answer),
    Intent.ABOUT_AUTHOR: _article_question(_author_answer),
    Intent.HOLD_DURATION: _step_question(HOLD_SENTENCE, "The article does not say how long to hold the {title}."),
    Intent.REPETITIONS: _step_question(
        REPEAT_SENTENCE, "The article does not say how many times to repeat the {title}."
    ),
    Intent.HELP: _help,
    Intent.GREETING: _greeting,
    Intent.THANKS: _thanks,
    Intent.SLOWER: _rate(-1),
    Intent.FASTER: _rate(+1),
    Intent.START_TIMER: _start_timer,
    Intent.STOP_TIMER: _stop_timer,
    Intent.COUNT_REP: _count_rep,
    Intent.PAUSE: _pause,
    Intent.RESUME: _resume,
    Intent.READ_STEP: _read_step,
    Intent.READ_ALL_STEPS: _read_all_steps,
    Intent.LOUDER: _louder,
    Intent.ACKNOWLEDGE: _acknowledge,
    Intent.ASK_ARTICLE: _ask_article,
}
