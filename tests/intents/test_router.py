"""The router as a specification: what must match, what must not, and what is a close call."""

from __future__ import annotations

import pytest

from content import build_library, parse_page
from intents import Ambiguous, Context, Intent, Match, NoMatch, build_index, normalize, route

COBRA = "cobra-stretch"
HIP = "lying-hip-stretch"
LEGS = "multidirectional-leg-raises"


@pytest.mark.parametrize(
    ("said", "intent", "exercise", "step"),
    [
        ("how do I do the cobra stretch", Intent.START_EXERCISE, COBRA, None),
        ("cobra strech", Intent.START_EXERCISE, COBRA, None),
        ("leg raises", Intent.START_EXERCISE, LEGS, None),
        ("multi directional leg raises", Intent.START_EXERCISE, LEGS, None),
        ("Multidirectional Leg Raise", Intent.START_EXERCISE, LEGS, None),
        ("um ok so the lying hip stretch", Intent.START_EXERCISE, HIP, None),
        ("how do i do the copra stretch", Intent.START_EXERCISE, COBRA, None),
        ("what do I need", Intent.THINGS_NEEDED, None, None),
        ("who wrote this", Intent.ABOUT_AUTHOR, None, None),
        ("how long do I hold the cobra stretch", Intent.HOLD_DURATION, COBRA, None),
        ("is this safe?", Intent.WARNING, None, None),
        ("what if it hurts?", Intent.WARNING, None, None),
        ("ouch, that hurts", Intent.PAIN, None, None),
        ("I feel a sharp pain in my hip", Intent.PAIN, None, None),
        ("I'm dizzy", Intent.PAIN, None, None),
        ("go to step 3 of the cobra stretch", Intent.GOTO_STEP, COBRA, 3),
        ("what exercises are there", Intent.LIST_EXERCISES, None, None),
        ("hello", Intent.GREETING, None, None),
        ("thank you!", Intent.THANKS, None, None),
        ("help", Intent.HELP, None, None),
        ("speak slower", Intent.SLOWER, None, None),
    ],
)
def test_routes_with_nothing_in_progress(index, said, intent, exercise, step):
    outcome = route(said, index)
    assert isinstance(outcome, Match), outcome
    assert (outcome.intent, outcome.exercise, outcome.step) == (intent, exercise, step)


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("nxt", Intent.NEXT_STEP),
        ("Next!", Intent.NEXT_STEP),
        ("next stop", Intent.NEXT_STEP),
        ("um ok next", Intent.NEXT_STEP),
        ("netx", Intent.NEXT_STEP),
        ("say that again", Intent.REPEAT_STEP),
        ("go back", Intent.PREVIOUS_STEP),
        ("start over", Intent.RESTART),
        ("stop", Intent.STOP),
        ("how long do I hold it", Intent.HOLD_DURATION),
        ("how many times", Intent.REPETITIONS),
        ("what step am I on", Intent.PROGRESS),
    ],
)
def test_routes_mid_exercise(index, said, intent):
    outcome = route(said, index, Context(current_exercise=COBRA))
    assert isinstance(outcome, Match)
    assert outcome.intent is intent


@pytest.mark.parametrize(
    ("said", "step"),
    [
        ("step 3", 3),
        ("step three", 3),
        ("the third step", 3),
        ("go to step 2", 2),
        ("last step", 4),
        ("go to step for", 4),
        ("step one", 1),
        ("first step", 1),
    ],
)
def test_step_entity(index, said, step):
    outcome = route(said, index, Context(current_exercise=COBRA))
    assert isinstance(outcome, Match) and outcome.intent is Intent.GOTO_STEP
    assert outcome.step == step


def test_last_step_without_an_exercise_is_minus_one(index):
    outcome = route("go to the last step", index)
    assert isinstance(outcome, Match) and (outcome.intent, outcome.exercise, outcome.step) == (
        Intent.GOTO_STEP,
        None,
        -1,
    )


@pytest.mark.parametrize(
    "said",
    [
        "what's the weather",
        "how do I do a bench press",
        "how long do I hold the plank",
        "how do I stretch my shoulder",
        "show me a neck stretch",
        "play the next song",
        "what do I need to make lasagna",
        "how long do I cook rice",
        "set an alarm for seven",
        "order a pizza",
        "",
        "   ",
        "!!!",
        "x" * 5000,
    ],
)
def test_out_of_scope(index, said):
    assert isinstance(route(said, index), NoMatch)


def test_out_of_scope_mid_exercise_is_still_out_of_scope(index):
    assert isinstance(route("what's the weather like", index, Context(current_exercise=COBRA)), NoMatch)


def test_a_close_call_between_exercises_returns_both(index):
    outcome = route("the stretch", index)
    assert outcome == Ambiguous(Intent.START_EXERCISE, outcome.score, (HIP, COBRA))


def test_a_generic_question_mid_exercise_means_the_current_one(index):
    outcome = route("how long do I hold the stretch", index, Context(current_exercise=COBRA))
    assert isinstance(outcome, Match) and (outcome.intent, outcome.exercise) == (Intent.HOLD_DURATION, COBRA)


def test_a_new_article_is_understood_without_code_change(seed_library):
    page = (
        "Shoulder Mobility at Home\n\nLoosen tight shoulders.\n\nThread the Needle\n\n"
        "  1. Kneel on all fours.\n\n  2. Slide one arm under the other.\n"
    )
    library = build_library([*seed_library.articles, parse_page(page, source="new.txt")])
    index = build_index(library)
    assert route("how do I do thread the needle", index).exercise == "thread-the-needle"
    assert route("thread the needel", index).exercise == "thread-the-needle"


def test_non_text_input_is_no_match(index):
    assert isinstance(route(None, index), NoMatch)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Um, OK so... what's NEXT?!", "what is next"),
        ("go to the third step", "go to 3 step"),
        ("Multi-directional", "multi directional"),
        ("I’m dizzy", "i am dizzy"),
    ],
)
def test_normalize(raw, normal):
    assert normalize(raw) == normal
