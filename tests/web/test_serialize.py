"""The JSON of a Turn: built from the Turn alone, outside any request, with no side effects."""

from __future__ import annotations

from assistant.conversation import DialogueState, respond
from intents import build_index
from web.serialize import spoken, turn_json


def test_a_turn_serialises_without_an_app_and_places_the_audio_it_is_given(seed_library):
    index = build_index(seed_library, learned=False)
    turn = respond(DialogueState(), "how do I do the cobra stretch", seed_library, index)
    texts = spoken(turn)
    assert len(texts) == 2  # the warning and step 1
    body = turn_json(turn, session="token", library=seed_library, audio={texts[1]: "/api/speech/x.wav"})
    assert [m["audio"] for m in body["messages"]] == [None, "/api/speech/x.wav"]
    assert (body["intent"], body["exercise"], body["step"], body["total_steps"]) == (
        "start_exercise",
        "Cobra Stretch",
        1,
        4,
    )
    assert body["session"] == "token" and body["rate"] == "normal" and body["listening"] == "guiding"


def test_the_counts_of_a_hold_are_among_what_a_turn_speaks(seed_library):
    index = build_index(seed_library, learned=False)
    state = respond(DialogueState(), "how do I do the cobra stretch", seed_library, index).state
    state = respond(state, "step 4", seed_library, index).state
    turn = respond(state, "start timer", seed_library, index)
    assert turn.timer is not None
    assert {c.message.speech for c in turn.timer.counts} <= set(spoken(turn))
