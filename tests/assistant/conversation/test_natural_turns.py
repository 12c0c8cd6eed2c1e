"""Natural turns in the conversation: pause and resume, reading without moving, pain stops,
acknowledgements, questions answered from the article, and what each turn was understood as."""

from __future__ import annotations

import pytest

from assistant.conversation import DialogueState, progress, respond, suggestions
from assistant.conversation.replies import Kind
from intents import Intent


@pytest.fixture
def chat(seed_library, index):
    """Say things in order; returns the last reply, keeps the state on the function."""

    def say(*utterances):
        for text in utterances:
            say.reply = respond(say.state, text, seed_library, index)
            say.state = say.reply.state
        return say.reply

    say.state = DialogueState()
    return say


def texts(reply) -> list[str]:
    return [m.text for m in reply.messages]


def test_pause_keeps_the_place_and_resume_reads_it_again(chat, seed_library):
    chat("how do I do the cobra stretch", "next")
    paused = chat("hang on a sec")
    assert paused.understood.intent is Intent.PAUSE
    assert texts(paused)[0].startswith("Paused at step 2 of the Cobra Stretch")
    assert suggestions(chat.state, seed_library) == ["Resume", "Stop"]
    back = chat("ok I'm back")
    assert back.understood.intent is Intent.RESUME
    assert texts(back)[1].startswith("Step 2 of 4")
    assert progress(chat.state, seed_library).step == 2


def test_pause_freezes_a_running_hold_timer_and_resume_carries_it_on(chat):
    chat("cobra stretch", "go to step 4", "start timer")
    assert chat("pause").pause_timer
    resumed = chat("resume")
    assert resumed.resume_timer and not resumed.cancel_timer


def test_carry_on_after_a_pause_returns_to_the_same_step_not_the_next(chat, seed_library):
    chat("cobra stretch", "next", "wait")
    chat("ok carry on")
    assert progress(chat.state, seed_library).step == 2


def test_reading_a_step_or_all_steps_does_not_move(chat, seed_library):
    chat("cobra stretch")
    read = chat("what does step 3 say")
    assert read.understood.intent is Intent.READ_STEP and read.understood.step == 3
    assert texts(read)[0].startswith("Step 3 of the Cobra Stretch says: Arch your head")
    every = chat("tell me all the steps")
    assert every.understood.intent is Intent.READ_ALL_STEPS
    assert "Step 4: Hold for a count" in texts(every)[0]
    assert progress(chat.state, seed_library).step == 1


@pytest.mark.parametrize(
    "said",
    [
        "my neck is sore",
        "my lower back aches",
        "this is killing my back",
        "i think i tweaked my knee",
        "hang on, my knee is hurting",
        "ok next step, ouch my wrist",
        "I feel a bit dizzy",
    ],
)
def test_pain_in_ordinary_words_stops_at_once_with_the_warning(chat, seed_library, said):
    chat("cobra stretch", "next")
    reply = chat(said)
    assert reply.understood.intent is Intent.PAIN
    assert [m.kind for m in reply.messages][:2] == [Kind.INFO, Kind.WARNING]
    assert progress(chat.state, seed_library) is None


def test_after_a_pain_stop_the_same_exercise_is_not_offered_and_carrying_on_warns_again(chat, seed_library):
    chat("cobra stretch", "next", "ouch")
    assert "Cobra Stretch" not in suggestions(chat.state, seed_library)
    assert Kind.STEP not in [m.kind for m in chat("next").messages]  # "next" alone never carries on
    back = chat("I'm fine, carry on")
    assert [m.kind for m in back.messages] == [Kind.WARNING, Kind.STEP]
    assert progress(chat.state, seed_library).step == 2


@pytest.mark.parametrize(
    "said", ["nothing hurts, carry on", "there's no pain", "I can feel it stretching my thigh, feels good"]
)
def test_pain_words_that_report_no_pain_do_not_stop(chat, seed_library, said):
    chat("cobra stretch")
    reply = chat(said)
    assert reply.understood.intent is not Intent.PAIN
    assert progress(chat.state, seed_library) is not None


@pytest.mark.parametrize("said", ["is it going to hurt?", "what happens if it starts hurting?"])
def test_questions_about_pain_to_come_are_answered_with_the_warning(chat, seed_library, said):
    chat("cobra stretch")
    reply = chat(said)
    assert reply.understood.intent is Intent.WARNING
    assert reply.messages[0].kind is Kind.WARNING
    assert progress(chat.state, seed_library).step == 1


@pytest.mark.parametrize(
    ("said", "intent"), [("ok", Intent.ACKNOWLEDGE), ("yep", Intent.ACKNOWLEDGE), ("cool", Intent.ACKNOWLEDGE)]
)
def test_acknowledgements_get_a_plain_reply_and_keep_the_place(chat, seed_library, said, intent):
    chat("cobra stretch")
    reply = chat(said)
    assert reply.understood.intent is intent
    assert texts(reply) == ["OK. Say “next” when you are ready for step 2."]


def test_a_completion_report_moves_on_but_stops_a_running_timer(chat, seed_library):
    chat("cobra stretch")
    chat("ok that one's done")
    assert progress(chat.state, seed_library).step == 2
    chat("go to step 4", "start timer")
    stopped = chat("done")
    assert stopped.cancel_timer and progress(chat.state, seed_library).step == 4


def test_louder_is_about_the_device_volume_not_the_speed(chat):
    chat("cobra stretch")
    reply = chat("speak up")
    assert reply.understood.intent is Intent.LOUDER
    assert "volume" in texts(reply)[0] and chat.state.rate == "normal"


def test_all_done_stops_and_resume_carries_on_where_it_stopped_warning_first(chat, seed_library):
    chat("cobra stretch", "next", "next")
    assert chat("all done").understood.intent is Intent.STOP
    back = chat("resume")
    assert [m.kind for m in back.messages] == [Kind.WARNING, Kind.STEP]
    assert progress(chat.state, seed_library).step == 3


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("what does the hip flexor do", "The job of the hip flexor"),
        ("what is the iliopsoas", "iliopsoas muscle"),
        ("what causes hip flexor pain", "When the hip flexor is imbalanced"),
    ],
)
def test_questions_about_the_article_are_answered_with_its_sentences(chat, question, quoted):
    reply = chat(question)
    assert reply.understood.intent is Intent.ASK_ARTICLE
    assert quoted in texts(reply)[0]


def test_what_was_understood_names_the_exercise_and_step_the_reply_is_about(chat):
    assert chat("how do I do the cobra stretch").understood.exercise == "cobra-stretch"
    nxt = chat("alright, I'm on my stomach now, what's next")
    assert (nxt.understood.intent, nxt.understood.step, nxt.understood.total_steps) == (Intent.NEXT_STEP, 2, 4)
    off = chat("play some music")
    assert off.understood.intent is Intent.OUT_OF_SCOPE and off.understood.exercise is None


def test_an_empty_transcript_asks_again_and_changes_nothing(chat):
    chat("cobra stretch")
    before = chat.state
    reply = chat("   ")
    assert texts(reply) == ["Sorry, I didn’t catch that. Please say it again, or type it."]
    assert chat.state == before
