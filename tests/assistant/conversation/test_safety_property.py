"""Property: no step of an exercise is ever delivered before that article's warning, for that start."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import DialogueState, respond
from assistant.conversation.replies import Kind
from intents import build_index, load_phrasings

FREE_TEXT = st.text(min_size=0, max_size=40)


def utterances(library):
    titles = [e.title for e in library.exercises]
    examples = [
        example.replace("{exercise}", title).replace("{step}", str(step))
        for phrasings in load_phrasings().values()
        for example in phrasings
        for title in titles[:1]
        for step in (2,)
    ]
    examples += ["the stretch", "the first", "cobra", "go to step 3 of the leg raises", "ouch"]
    return st.one_of(st.sampled_from(examples), FREE_TEXT)


def test_no_step_before_its_warning(seed_library):
    index = build_index(seed_library)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(utterances(seed_library), min_size=1, max_size=12))
    def conversation(said):
        state = DialogueState()
        for text in said:
            before = state.exercise
            reply = respond(state, text, seed_library, index)
            state = reply.state
            warned_for = None
            for message in reply.messages:
                if message.kind is Kind.WARNING:
                    warned_for = message.exercise
                if message.kind is Kind.STEP and message.exercise != before:
                    # a step of a newly started exercise: its warning came first in this reply
                    assert warned_for == message.exercise, (said, reply)
            if any(m.kind is Kind.STEP for m in reply.messages) and state.exercise != before:
                assert reply.messages[0].kind is Kind.WARNING
            assert 0 <= state.step <= 5

    conversation()
