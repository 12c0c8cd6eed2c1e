"""repair(state, library): a state from before an edit of the articles is made to fit, with one plain message."""

from __future__ import annotations

import dataclasses

import pytest

from assistant.conversation import DialogueState
from assistant.conversation.repair import CHOICES_GONE, GONE, repair
from content import Library
from intents import Intent


def shortened(library: Library, slug: str, steps: int) -> Library:
    """`library` with exercise `slug` cut to its first `steps` steps."""
    articles = tuple(
        dataclasses.replace(
            article,
            exercises=tuple(
                dataclasses.replace(e, steps=e.steps[:steps]) if e.slug == slug else e for e in article.exercises
            ),
        )
        for article in library.articles
    )
    return Library(articles)


def without(library: Library, slug: str) -> Library:
    articles = tuple(
        dataclasses.replace(article, exercises=tuple(e for e in article.exercises if e.slug != slug))
        for article in library.articles
    )
    return Library(articles)


@pytest.mark.parametrize(
    "state",
    [
        DialogueState(),
        DialogueState(exercise="cobra-stretch", step=4, last_exercise="cobra-stretch", timing=True),
        DialogueState(pending=("cobra-stretch", "lying-hip-stretch"), pending_intent=Intent.GOTO_STEP, pending_step=2),
        DialogueState(last_exercise="cobra-stretch", rate="slow"),
    ],
)
def test_states_that_fit_are_left_alone(seed_library, state):
    assert repair(state, seed_library) == (state, None)


def test_a_step_past_the_end_of_a_shortened_exercise_stops_it_and_says_so(seed_library):
    state = DialogueState(
        exercise="cobra-stretch", step=4, last_exercise="cobra-stretch", timing=True, reps=3, rate="fast"
    )
    repaired, notice = repair(state, shortened(seed_library, "cobra-stretch", 2))
    assert repaired == DialogueState(last_exercise="cobra-stretch", rate="fast")
    assert notice is not None
    assert notice.text.startswith("The Cobra Stretch changed since we last talked (it has 2 steps now)")
    assert "start over" in notice.text


def test_a_removed_or_renamed_exercise_is_stopped_and_forgotten(seed_library):
    state = DialogueState(exercise="cobra-stretch", step=2, last_exercise="cobra-stretch")
    repaired, notice = repair(state, without(seed_library, "cobra-stretch"))
    assert repaired == DialogueState()
    assert notice == GONE


def test_a_which_one_question_offering_a_removed_exercise_is_dropped(seed_library):
    state = DialogueState(pending=("cobra-stretch", "lying-hip-stretch"), pending_intent=Intent.START_EXERCISE)
    repaired, notice = repair(state, without(seed_library, "cobra-stretch"))
    assert (repaired.pending, repaired.pending_intent, repaired.pending_step) == ((), None, None)
    assert notice == CHOICES_GONE


def test_a_forgotten_last_exercise_needs_no_message(seed_library):
    repaired, notice = repair(DialogueState(last_exercise="cobra-stretch"), without(seed_library, "cobra-stretch"))
    assert repaired == DialogueState() and notice is None


@pytest.mark.parametrize(
    "state",
    [
        DialogueState(step=3),
        DialogueState(timing=True),
        DialogueState(exercise="cobra-stretch", step=0),
        DialogueState(pending_intent=Intent.START_EXERCISE),
    ],
)
def test_inconsistent_leftovers_are_cleared(seed_library, state):
    repaired, _ = repair(state, seed_library)
    assert repaired.exercise is None or 1 <= repaired.step
    assert not repaired.timing or repaired.exercise is not None
    assert repaired.pending_intent is None or repaired.pending


def test_fields_repair_does_not_know_are_kept(seed_library):
    """The state gains fields over time (a pause, say); repair changes only what it checks."""
    state = DialogueState(exercise="gone", step=9, rate="slow")
    repaired, _ = repair(state, seed_library)
    assert repaired.rate == "slow"


def test_a_place_kept_for_resume_past_a_shortened_exercise_is_dropped(seed_library):
    state, _ = repair(DialogueState(last_exercise="cobra-stretch", last_step=9, after_pain=True), seed_library)
    assert (state.last_exercise, state.last_step) == ("cobra-stretch", 0)
    gone, _ = repair(DialogueState(last_exercise="no-such-exercise", last_step=2, after_pain=True), seed_library)
    assert (gone.last_exercise, gone.last_step, gone.after_pain) == (None, 0, False)
