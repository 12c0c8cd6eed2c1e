"""Table tests for the pain detector and for phrasings spotted inside natural turns."""

from __future__ import annotations

import pytest

from intents import Ambiguous, Context, Intent, Match, NoMatch, route
from intents.pain import PainReading, detect_pain


@pytest.mark.parametrize(
    "text",
    [
        "I think i've done my back in",
        "I slipped and banged my knee on the chair",
        "felt a pop in my groin",
        "everything's going black",
        "got a head rush and it won't go away",
        "i'm feeling feint",
        "my knee hurts but keep going",
        "it used to hurt and now it hurts again",
        "not much pain but it hurts",
        "no wait it hurts now",  # an answer, not a negation
        "no, my knee is killing me",
        "um my groin is uh killing",
        "is burning inside of the thigh",  # the subject dropped, as learners of English say it
        "hip is burning inside not a good burn",
        "gone all tight across me chest",
        "the room is going round and round",
        "black spots in my vision",
        "charley horse omg",
        "wanna puke",
        "me hip went twang",
        "sorry i am not breathing normal",
    ],
)
def test_pain_reports(text):
    assert detect_pain(text) is PainReading.REPORT


@pytest.mark.parametrize(
    "text",
    [
        "didn't hurt at all",
        "my back isn't aching today",
        "no numbness or anything",
        "the ache is gone",
        "not sore anymore",
        "my back used to hurt all the time",
        "that's satisfying, like a good sore",
        "ha, that hurt my pride",
        "exercises for lower back pain",
        "where does hip flexor pain show up",
        "what painkillers should I take for a headache?",
        "no, nothing hurts",
        "no it does not hurt",
    ],
)
def test_pain_words_that_report_no_pain(text):
    assert detect_pain(text) is PainReading.NONE


@pytest.mark.parametrize(
    "text",
    [
        "is it going to hurt?",
        "what if it starts hurting?",
        "is it ok to do this if I'm pregnant?",
    ],
)
def test_hypothetical_questions_are_warnings(text):
    assert detect_pain(text) is PainReading.HYPOTHETICAL


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("previous, i mean next", Intent.NEXT_STEP),
        ("stop, no, carry on i mean", Intent.NEXT_STEP),
        ("next, no wait, go back", Intent.PREVIOUS_STEP),
        ("got my hands under my shoulders, now what", Intent.NEXT_STEP),
        ("whew that was hard but done", Intent.COUNT_REP),
        ("uh, i think that's six", Intent.COUNT_REP),
        ("ok, break's over", Intent.RESUME),
        ("hold that thought, the door", Intent.PAUSE),
        ("ok that's it, we're done", Intent.STOP),
        ("ooh, that's a good stretch", Intent.ACKNOWLEDGE),
    ],
)
def test_compound_turns_and_corrections(index, text, intent):
    outcome = route(text, index, Context(current_exercise="cobra-stretch"))
    assert isinstance(outcome, Match) and outcome.intent is intent, outcome


@pytest.mark.parametrize("said", ["go to step 2, sorry, step 3", "go to step two no three", "step two, i mean three"])
def test_corrected_step_number_is_the_last_said(index, said):
    outcome = route(said, index, Context(current_exercise="cobra-stretch"))
    assert isinstance(outcome, Match) and (outcome.intent, outcome.step) == (Intent.GOTO_STEP, 3)


def test_a_number_after_no_is_no_correction_without_a_step_before(index):
    outcome = route("no 3", index, Context(current_exercise="cobra-stretch"))
    assert not (isinstance(outcome, Match) and outcome.intent is Intent.GOTO_STEP and outcome.step == 3)


@pytest.mark.parametrize(
    ("text", "intent", "step"),
    [
        ("take me to step three of the leg raises", Intent.GOTO_STEP, 3),
        ("what's step two of the cobra?", Intent.READ_STEP, 2),
        ("read me all the steps for the cobra stretch", Intent.READ_ALL_STEPS, None),
    ],
)
def test_a_command_qualified_by_an_exercise_is_about_it(index, text, intent, step):
    outcome = route(text, index)
    assert isinstance(outcome, Match) and (outcome.intent, outcome.step) == (intent, step), outcome
    assert outcome.exercise is not None


@pytest.mark.parametrize(
    "text",
    [
        "what time is it?",
        "set a timer for the oven, 20 minutes",
        "how long should i cook rice",
        "who won the match last night",
        "how do I do a neck stretch",
        "play the next song",
    ],
)
def test_near_misses_do_not_match(index, text):
    outcome = route(text, index, Context(current_exercise="cobra-stretch"))
    assert (
        isinstance(outcome, NoMatch)
        or isinstance(outcome, Ambiguous) is False
        and outcome.intent
        not in (
            Intent.START_TIMER,
            Intent.PAUSE,
            Intent.HOLD_DURATION,
            Intent.START_EXERCISE,
            Intent.NEXT_STEP,
            Intent.ACKNOWLEDGE,
        )
    ), outcome


@pytest.mark.parametrize("said", ["Does the cobra hurt your back?", "Is pain normal in the cobra?"])
def test_a_warning_question_about_a_named_exercise_is_about_it(index, said):
    outcome = route(said, index, Context(current_exercise="lying-hip-stretch"))
    assert isinstance(outcome, Match) and (outcome.intent, outcome.exercise) == (Intent.WARNING, "cobra-stretch")


@pytest.mark.parametrize("said", ["anything for a sore back?", "something for a stiff back"])
def test_a_back_that_is_sore_is_a_body_part_not_go_back(index, said):
    outcome = route(said, index, Context(current_exercise="cobra-stretch"))
    assert not (isinstance(outcome, Match) and outcome.intent is Intent.PREVIOUS_STEP), outcome
