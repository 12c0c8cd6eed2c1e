"""The guided conversation as scripted exchanges: warning first, one step per reply."""

from __future__ import annotations

import pytest

from assistant.conversation import (
    LISTENING,
    DialogueState,
    Situation,
    listening_situation,
    progress,
    respond,
    suggestions,
)
from assistant.conversation.replies import Kind
from intents import Intent, build_index

START_TIMER, STOP_TIMER = Intent.START_TIMER, Intent.STOP_TIMER
IDLE, GUIDING, HOLD_STEP, TIMING = Situation.IDLE, Situation.GUIDING, Situation.HOLD_STEP, Situation.TIMING


@pytest.fixture
def chat(seed_library, index):
    """Say things in order; returns the replies' messages, keeps the state on the function."""

    def say(*utterances):
        out = []
        for text in utterances:
            reply = respond(say.state, text, seed_library, index)
            say.state = reply.state
            out.append(reply.messages)
        return out[-1] if len(out) == 1 else out

    say.state = DialogueState()
    return say


def kinds(messages):
    return [m.kind for m in messages]


def test_starting_gives_the_warning_then_step_one(chat):
    messages = chat("how do I do the cobra stretch")
    assert kinds(messages) == [Kind.WARNING, Kind.STEP]
    assert messages[0].text.startswith("You should not feel any pain")
    assert messages[1].text == "Step 1 of 4: Lie on your stomach with legs stretched out behind you."
    assert messages[1].speech == "Step one of four. Lie on your stomach with legs stretched out behind you."


def test_next_back_repeat_and_progress(chat):
    chat("cobra stretch")
    assert chat("next")[0].text.startswith("Step 2 of 4: Place your hands")
    assert chat("repeat")[0].text.startswith("Step 2 of 4")
    assert chat("go back")[0].text.startswith("Step 1 of 4")
    assert [m.text for m in chat("back")] == [
        "You are already at the first step.",
        "Step 1 of 4: Lie on your stomach with legs stretched out behind you.",
    ]
    assert chat("what step am I on")[0].text == "You are on step 1 of 4 of the Cobra Stretch."


def test_after_the_last_step_the_exercise_is_complete_and_others_offered(chat, seed_library):
    chat("cobra stretch", "go to the last step")
    [done] = chat("next")
    assert done.kind is Kind.COMPLETE
    assert "Lying Hip Stretch" in done.text and "Multidirectional Leg Raises" in done.text
    assert progress(chat.state, seed_library) is None
    assert "No exercise is in progress" in chat("next")[0].text


def test_goto_out_of_range(chat):
    chat("cobra stretch")
    assert chat("go to step 9")[0].text == "The Cobra Stretch has 4 steps: say a step from 1 to 4."
    assert chat.state.step == 1


def test_jumping_into_another_exercise_gives_its_warning_first(chat):
    chat("cobra stretch", "next")
    messages = chat("go to step 3 of the leg raises")
    assert kinds(messages) == [Kind.WARNING, Kind.STEP]
    assert messages[1].text.startswith("Step 3 of 5: Raise your leg to the side")


def test_restart_and_switching_give_the_warning_again(chat):
    chat("cobra stretch", "next", "next")
    assert kinds(chat("start over")) == [Kind.WARNING, Kind.STEP]
    assert kinds(chat("now the lying hip stretch")) == [Kind.WARNING, Kind.STEP]


def test_stop_ends_guidance(chat):
    chat("cobra stretch")
    assert chat("stop")[0].text.startswith("Stopped the Cobra Stretch.")
    assert "No exercise is in progress" in chat("next")[0].text


def test_pain_stops_at_once_with_the_warning(chat, seed_library):
    chat("cobra stretch", "next")
    messages = chat("ouch, that hurts")
    assert kinds(messages) == [Kind.INFO, Kind.WARNING, Kind.INFO]
    assert "say “I’m fine, carry on”" in messages[2].text
    assert "stop immediately and seek medical advice" in messages[1].text
    assert progress(chat.state, seed_library) is None
    assert Kind.STEP not in kinds(chat("next"))


def test_out_of_scope_keeps_guidance(chat):
    chat("cobra stretch", "next")
    reply = chat("what's the weather")
    assert "I can only help with the exercises" in reply[0].text
    assert chat("next")[0].text.startswith("Step 3 of 4")


@pytest.mark.parametrize(
    ("setup", "question", "expected"),
    [
        (
            ["cobra stretch"],
            "how long do I hold it",
            "The article says, for the Cobra Stretch: Step 4: “Hold for a count of twenty to thirty "
            "before lowering your chest back down to the floor.”",
        ),
        (
            [],
            "how long do I hold the lying hip stretch",
            "The article says, for the Lying Hip Stretch: Step 4: “Hold for a count of twenty to thirty.”",
        ),
        (
            ["leg raises"],
            "how long do I hold it",
            "The article does not say how long to hold the Multidirectional Leg Raises.",
        ),
        (
            ["leg raises"],
            "how many times",
            "The article says, for the Multidirectional Leg Raises: Step 5: “Repeat sequence ten "
            "times and then reverse with the other leg.”",
        ),
        ([], "what do I need", "For “How to Treat Imbalance in Hip Flexor Muscles” you need: Table and Chair."),
    ],
)
def test_questions_are_answered_in_the_articles_words(chat, setup, question, expected):
    if setup:
        chat(*setup)
    assert chat(question)[0].text == expected


def test_a_question_with_no_exercise_asks_which(chat):
    [question] = chat("how long do I hold it")
    assert question.kind is Kind.QUESTION
    assert "Lying Hip Stretch" in question.text and "Cobra Stretch" in question.text
    assert chat("the cobra one")[0].text.startswith("The article says, for the Cobra Stretch")


@pytest.mark.parametrize("answer", ["the cobra one", "cobra", "the second", "second one", "2"])
def test_clarification_resolves(chat, answer):
    [question] = chat("the stretch")
    assert question.text == "Which one do you mean: Lying Hip Stretch or Cobra Stretch?"
    messages = chat(answer)
    assert kinds(messages) == [Kind.WARNING, Kind.STEP]
    assert messages[1].exercise == "cobra-stretch"


def test_suggestions_follow_the_conversation(chat, seed_library):
    assert suggestions(chat.state, seed_library)[:2] == ["Lying Hip Stretch", "Cobra Stretch"]
    chat("cobra")
    assert suggestions(chat.state, seed_library) == ["Next", "Repeat", "Back", "Start over", "Stop"]


def test_answers_overview_author_list_help(chat):
    assert chat("what is this about")[0].text.startswith("The job of the hip flexor")
    assert chat("who wrote this")[0].text.startswith("Lisa Atkinson")
    assert chat("list exercises")[0].text == (
        "The exercises are: Lying Hip Stretch, Cobra Stretch and Multidirectional Leg Raises."
    )
    assert "next" in chat("help")[0].text


def test_speech_has_no_symbols(chat):
    for message in chat("cobra stretch") + chat("what do I need"):
        assert not set(message.speech) & set("<>*#{}[]|/“”")


def test_a_hold_step_offers_the_timer_and_start_timer_counts_it(chat, seed_library, index):
    messages = chat("cobra", "go to step 4")[-1]
    assert messages[-1].text == "Say “start timer” and I will count the hold for you."
    reply = respond(chat.state, "start timer", seed_library, index)
    chat.state = reply.state
    assert reply.timer is not None and reply.timer.seconds == 30
    assert [c.at for c in reply.timer.counts] == [5, 10, 15, 20, 25, 28, 29, 30]
    assert reply.timer.counts[-1].message.text == "30. Time is up: you can release the hold."
    assert chat.state.timing


@pytest.mark.parametrize("leave", ["next", "go back", "stop", "ouch", "lying hip stretch", "stop timer"])
def test_moving_on_cancels_the_timer(chat, seed_library, index, leave):
    chat("cobra", "go to step 4", "start timer")
    reply = respond(chat.state, leave, seed_library, index)
    chat.state = reply.state
    assert reply.cancel_timer
    assert not chat.state.timing


def test_timer_commands_are_only_listened_for_where_they_mean_something(chat, seed_library):
    """Speech recognition leaves out what cannot be meant: "stop timer" with no timer running,
    "start timer" on a step with no hold or while the timer runs."""

    def situation() -> tuple[str, frozenset[Intent]]:
        name = listening_situation(chat.state, seed_library)
        return name, LISTENING[name].unsaid

    assert situation() == (IDLE, {START_TIMER, STOP_TIMER})
    chat("cobra")
    assert situation() == (GUIDING, {START_TIMER, STOP_TIMER})  # step 1 does not say to hold
    chat("go to step 4")
    assert situation() == (HOLD_STEP, {STOP_TIMER})
    chat("start timer")
    assert situation() == (TIMING, {START_TIMER})  # to count again, stop it first
    chat("stop timer")
    assert situation() == (HOLD_STEP, {STOP_TIMER})
    chat("stop")
    assert situation() == (IDLE, {START_TIMER, STOP_TIMER})


def test_a_which_one_question_is_listened_to_as_nothing_in_progress(chat, seed_library):
    """The answer to "which one?" is an exercise's name, not a guidance command."""
    chat("cobra", "the stretch")
    assert chat.state.exercise == "cobra-stretch" and chat.state.pending
    assert listening_situation(chat.state, seed_library) == IDLE


def test_while_guiding_the_guidance_intents_are_the_likelier_ones():
    assert LISTENING[IDLE].likelier == frozenset()
    for name in (GUIDING, HOLD_STEP, TIMING):
        assert {Intent.NEXT_STEP, Intent.PREVIOUS_STEP, Intent.STOP, Intent.PAIN} <= LISTENING[name].likelier
        assert not {Intent.OVERVIEW, Intent.SLOWER, Intent.START_EXERCISE} & LISTENING[name].likelier


def test_a_state_the_content_no_longer_fits_is_listened_to_as_nothing_in_progress(seed_library):
    gone = DialogueState(exercise="no-such-exercise", step=2, timing=True)
    beyond = DialogueState(exercise="cobra-stretch", step=40)
    assert listening_situation(gone, seed_library) == listening_situation(beyond, seed_library) == IDLE


def test_start_timer_on_a_step_without_a_hold_says_so(chat):
    chat("cobra")
    assert chat("start timer")[0].text == "Step 1 does not say to hold for a time, so there is nothing to count."


def test_done_counts_repetitions_on_a_repeat_step_and_means_next_elsewhere(chat):
    chat("leg raises")
    assert chat("done")[0].text.startswith("Step 2 of 5")
    chat("go to step 5")
    assert [chat("done")[0].text for _ in range(9)][-1] == "Rep 9 of 10."
    assert chat("next rep")[0].text == "That is 10 of 10: all repetitions done. Say “next” to go on."
    assert chat("done")[0].kind is Kind.COMPLETE


def test_every_intent_has_a_handler():
    from assistant.conversation.turn import HANDLERS

    assert set(HANDLERS) == set(Intent)


@pytest.fixture(scope="module")
def large_library(tmp_path_factory):
    import random

    from benchmarks.scale import write_library
    from content import load_library

    return load_library(write_library(tmp_path_factory.mktemp("large"), 200, random.Random(3)))


def test_replies_stay_short_in_a_large_library(large_library):
    index = build_index(large_library, learned=False)
    for said in ("play some music", "list exercises", "how long do I hold it"):
        turn = respond(DialogueState(), said, large_library, index)
        assert sum(len(m.text) for m in turn.messages) < 600, (said, turn.messages)
    asked = respond(DialogueState(), "how long do I hold it", large_library, index)
    assert len(asked.state.pending) == 5 and "more" in asked.messages[0].text
    chosen = large_library.exercises[0]  # named in the question, so chosen by its name
    answer = respond(asked.state, chosen.title, large_library, index)
    assert answer.understood.intent is Intent.HOLD_DURATION and chosen.title in answer.messages[0].text
