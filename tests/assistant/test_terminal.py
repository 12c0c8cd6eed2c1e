"""python -m assistant: text in the terminal, every message spoken in order, no audio handled once."""

from __future__ import annotations

import io

from assistant.__main__ import Voice, chat
from assistant.speech import SpeechUnavailable


def test_each_message_is_printed_and_spoken_warning_first():
    out, spoken = io.StringIO(), []
    chat(
        ["how do I do the cobra stretch", "next"], out, speak=lambda text, rate: spoken.append((text, rate)), rate=None
    )
    assert spoken[0][0].startswith("Safety warning. You should not feel any pain")
    assert spoken[1][0].startswith("Step one of four. Lie on your stomach")
    assert spoken[2][0].startswith("Step two of four.")
    assert {rate for _, rate in spoken} == {175}
    text = out.getvalue()
    assert text.index("SAFETY WARNING") < text.index("Step 1 of 4") < text.index("Step 2 of 4")
    assert "[Cobra Stretch · step 2 of 4]" in text


def test_speak_slower_slows_the_voice():
    spoken = []
    chat(["cobra", "speak slower", "repeat"], io.StringIO(), speak=lambda text, rate: spoken.append(rate), rate=None)
    assert spoken[-1] < spoken[0]


def test_no_audio_device_is_reported_once_and_text_goes_on():
    calls = []

    def no_device(text, *, voice, rate):
        calls.append(text)
        raise SpeechUnavailable("no audio output device")

    out = io.StringIO()
    voice = Voice("en-us", out, speak=no_device)
    chat(["cobra stretch", "next", "next"], out, speak=voice, rate=None)
    assert out.getvalue().count("No audio") == 1
    assert len(calls) == 1
    assert "Step 3 of 4" in out.getvalue()


def test_a_hold_is_counted_aloud_at_its_times():
    out, spoken, slept = io.StringIO(), [], []
    chat(
        ["cobra", "go to step 4", "start timer"],
        out,
        speak=lambda text, rate: spoken.append(text),
        rate=None,
        sleep=slept.append,
    )
    assert sum(slept) == 30
    counts = spoken[spoken.index("Timer started. I will count to thirty.") + 1 :]
    assert counts == [
        "five",
        "ten",
        "fifteen",
        "twenty",
        "twenty-five",
        "twenty-eight",
        "twenty-nine",
        "thirty. Time is up. You can release the hold.",
    ]
