"""Speech recognition of commands: bytes that must be refused (and how), formats that must be
accepted, silence and noise that must give nothing, and accuracy floors on generated voices.

The voices are espeak-ng's, spoken through the real speech service (as the benchmark
`python -m benchmarks.voice_eval` does on a larger set); floors sit below the measured figures.
"""

from __future__ import annotations

import logging
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.conversation import LISTENING, Situation
from assistant.listening import (
    MAX_AUDIO_BYTES,
    MAX_AUDIO_SECONDS,
    DamagedRecording,
    ListenError,
    ListenSettings,
    NotARecording,
    Recognizer,
    RecordingTooLarge,
    Transcript,
    command_recognizer,
)
from assistant.listening.grammar import command_phrases
from assistant.listening.phonetics import accent_variants, pronounce
from assistant.listening.signal import model_input
from assistant.listening.wav import read_wav
from benchmarks import voice_eval
from benchmarks.audio import from_wav
from content import Library, load_library
from content.errors import AssistantError
from intents import build_index
from intents.words import build_vocabulary

VOICES = ("en-us", "en-gb-x-rp")
RATE = 175
NOISES = (("clean", None), ("white", 20.0))
FLOORS = {
    voice_eval.COMMANDS: 0.90,
    voice_eval.OTHER_COMMANDS: 0.75,
    voice_eval.EXERCISES: 0.90,
    voice_eval.OTHER: 0.55,
    voice_eval.PAIN_SAID: 0.95,
    voice_eval.NATURAL: 0.75,
}
"""Measured on this subset (`voice_eval --quick`): short commands 97%, other commands 75%,
exercise requests 98%, natural commands 85%, pain reports 100%, other speech 60%. Other speech
fell from 90% when the grammar took in the pain vocabulary: most of it is now heard as pain
("my favourite colour is blue" as "my ankle is killing me"), a false stop that costs one word,
the price of hearing spoken pain reports at all (they decoded as commands before).
The full set (six voices, three rates, five noise levels) is
`python -m benchmarks.voice_eval`."""
SPEECH_RATE = 22050
PAGES = Path(__file__).parents[2] / "content" / "pages"


# --- WAV writing for the tests (any layout the recogniser claims to read) ---------------------


def wav(
    samples: np.ndarray,
    rate: int = 16000,
    *,
    channels: int = 1,
    width: int = 2,
    floating: bool = False,
    extensible: bool = False,
) -> bytes:
    """RIFF/WAVE bytes of `samples` in [-1, 1]: one column per channel, or mono repeated
    over `channels`."""
    if samples.ndim == 1:
        samples = np.repeat(samples[:, None], channels, axis=1)
    channels = samples.shape[1]
    frames = np.clip(samples, -1, 1).reshape(-1)
    if floating:
        data = frames.astype("<f4" if width == 4 else "<f8").tobytes()
    elif width == 1:
        data = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 3:
        values = np.round(frames * (2**23 - 1)).astype("<i4").tobytes()
        data = b"".join(values[i : i + 3] for i in range(0, len(values), 4))
    else:
        scale = 2 ** (8 * width - 1) - 1
        data = np.round(frames * scale).astype("<i2" if width == 2 else "<i4").tobytes()
    tag = 3 if floating else 1
    block = channels * width
    fmt = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, rate, rate * block, block, 8 * width)
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, 8 * width, 0) + struct.pack("<H", tag) + guid_tail
    body = b"WAVE" + chunk(b"fmt ", fmt) + chunk(b"LIST", b"INFOjunk") + chunk(b"data", data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def tone(seconds: float, rate: int = 16000, hertz: float = 440.0, level: float = 0.5) -> np.ndarray:
    return level * np.sin(2 * np.pi * hertz * np.arange(int(seconds * rate)) / rate)


def noise(seconds: float, rate: int = 16000, level: float = 0.2, seed: int = 1) -> np.ndarray:
    return level * np.random.default_rng(seed).standard_normal(int(seconds * rate)).clip(-4, 4) / 4


def resampled_to(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Crude but band-limited enough for tests: linear interpolation of an espeak clip."""
    count = round(len(samples) * target / rate)
    return np.interp(np.arange(count) * rate / target, np.arange(len(samples)), samples)


# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recognizer(seed_library) -> Recognizer:
    return command_recognizer(build_vocabulary(seed_library), LISTENING)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], bytes]:
    """The benchmark's test set in two voices at the normal rate, synthesised once."""
    return voice_eval.synthesise(voice_eval.case_table(), VOICES, (RATE,), tmp_path_factory.mktemp("voices"))


@pytest.fixture(scope="module")
def results(recognizer, clips, seed_library) -> list[voice_eval.Result]:
    return voice_eval.evaluate(
        recognizer, build_index(seed_library), seed_library, clips, voice_eval.case_table(), NOISES
    )


def spoken(clips: dict[tuple[str, int, str], bytes], text: str, voice: str = "en-us") -> tuple[np.ndarray, int]:
    return from_wav(clips[voice, RATE, text])


# --- Bytes that must be refused -------------------------------------------------------------

GOOD = wav(tone(0.5))


def with_format(**fields: int) -> bytes:
    """GOOD with some "fmt " fields replaced."""
    names = ("tag", "channels", "rate", "byte_rate", "block", "bits")
    values = dict(zip(names, struct.unpack_from("<HHIIHH", GOOD, 20), strict=True)) | fields
    return GOOD[:20] + struct.pack("<HHIIHH", *(values[n] for n in names)) + GOOD[36:]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        pytest.param(b"", DamagedRecording, id="no bytes"),
        pytest.param(b"RI", DamagedRecording, id="two bytes of a header"),
        pytest.param(GOOD[:11], DamagedRecording, id="header cut at 11 bytes"),
        pytest.param(GOOD[:20], DamagedRecording, id="header cut before the format"),
        pytest.param(GOOD[:30], DamagedRecording, id="format cut short"),
        pytest.param(GOOD[:60], DamagedRecording, id="no audio chunk"),
        pytest.param(GOOD[:-100], DamagedRecording, id="audio cut short"),
        pytest.param(b"not audio at all, just some words", NotARecording, id="text"),
        pytest.param(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(100), NotARecording, id="mp3"),
        pytest.param(b"OggS" + bytes(100), NotARecording, id="ogg"),
        pytest.param(b"RIFF\x10\x00\x00\x00AVI LIST" + bytes(8), NotARecording, id="riff but not wave"),
        pytest.param(b"RIFX" + GOOD[4:], NotARecording, id="big-endian riff"),
        pytest.param(with_format(tag=7), NotARecording, id="mu-law"),
        pytest.param(with_format(tag=2), NotARecording, id="adpcm"),
        pytest.param(with_format(channels=0), DamagedRecording, id="no channels"),
        pytest.param(with_format(rate=0), DamagedRecording, id="rate zero"),
        pytest.param(with_format(rate=10_000_000), DamagedRecording, id="absurd rate"),
        pytest.param(with_format(channels=2, block=3), DamagedRecording, id="frame size does not fit"),
        pytest.param(with_format(bits=64), NotARecording, id="more bits than bytes"),
        pytest.param(bytes(MAX_AUDIO_BYTES + 1), RecordingTooLarge, id="over the size limit"),
        pytest.param(wav(noise(MAX_AUDIO_SECONDS + 1, rate=8000), 8000, width=1), RecordingTooLarge, id="16 s"),
        pytest.param(wav(noise(60, rate=8000), 8000, width=1), RecordingTooLarge, id="60 s of noise"),
    ],
)
def test_bad_bytes_are_refused_with_their_kind_and_a_sentence(recognizer, data, kind):
    with pytest.raises(ListenError) as caught:
        recognizer.transcribe(data)
    assert type(caught.value) is kind
    message = str(caught.value)
    assert message[0].isupper() and message.endswith(".")
    assert isinstance(caught.value, AssistantError)


def test_five_megabytes_of_junk_is_refused(recognizer):
    junk = np.random.default_rng(5).integers(0, 256, 5_000_000, dtype=np.uint8).tobytes()
    with pytest.raises(ListenError) as caught:
        recognizer.transcribe(junk)
    assert isinstance(caught.value, RecordingTooLarge | NotARecording)


def test_streaming_header_with_unknown_length_reads_to_the_end():
    data = bytearray(GOOD)
    size_at = data.index(b"data") + 4
    data[size_at : size_at + 4] = b"\xff\xff\xff\xff"
    assert read_wav(bytes(data)).seconds == pytest.approx(0.5, abs=0.01)


# --- Formats that must be accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"rate": 8000},
        {"rate": 11025},
        {"rate": 22050},
        {"rate": 44100},
        {"rate": 48000},
        {"width": 1},
        {"width": 3},
        {"width": 4},
        {"width": 4, "floating": True},
        {"width": 8, "floating": True},
        {"channels": 2},
        {"channels": 2, "rate": 44100, "width": 3},
        {"extensible": True, "width": 3, "channels": 2},
        {"extensible": True, "width": 4, "floating": True},
    ],
    ids=repr,
)
def test_every_common_layout_reads_as_the_same_mono_signal(options):
    rate = options.pop("rate", 16000)
    signal = tone(0.25, rate)
    audio = read_wav(wav(signal, rate, **options))
    assert audio.rate == rate
    tolerance = 1 / 100 if options.get("width") == 1 else 1 / 1000
    assert np.max(np.abs(audio.samples - signal)) < tolerance


def test_stereo_is_mixed_down():
    left, right = tone(0.1), tone(0.1, hertz=1000)
    audio = read_wav(wav(np.stack([left, right], axis=1)))
    assert np.max(np.abs(audio.samples - (left + right) / 2)) < 1e-3


@pytest.mark.parametrize(
    ("rate", "options"),
    [(16000, {}), (44100, {}), (48000, {"channels": 2}), (SPEECH_RATE, {"width": 4, "floating": True})],
    ids=["16 kHz", "44.1 kHz", "48 kHz stereo", "float"],
)
def test_a_command_is_heard_whatever_the_rate_or_layout(recognizer, clips, rate, options):
    samples, source_rate = spoken(clips, "next step")
    data = wav(resampled_to(samples, source_rate, rate), rate, **options)
    assert recognizer.transcribe(data).text == "next step"


def test_a_recording_is_heard_the_same_whatever_came_before_it(recognizer, clips):
    """The decoder starts every utterance afresh: nothing carries over from the last request."""
    samples, source_rate = spoken(clips, "go back")
    pcm = model_input(read_wav(wav(samples, source_rate)), min_range_db=recognizer.settings.min_speech_range_db)
    heard = set()
    for other in ("leg raises", "stop the timer", "next step"):
        other_samples, other_rate = spoken(clips, other)
        recognizer.transcribe(wav(other_samples * 0.3, other_rate))
        heard.add(recognizer.hear(pcm))
    assert len(heard) == 1


def test_telephone_band_audio_is_decoded_though_less_well(recognizer, clips):
    """8 kHz keeps nothing above 4 kHz, where the model expects "s", "t" and "f": accepted and
    decoded, but about half the commands are missed (see the report)."""
    heard = []
    for text in ("go back", "leg raises", "stop the timer"):
        samples, source_rate = spoken(clips, text)
        transcript = recognizer.transcribe(wav(resampled_to(samples, source_rate, 8000), 8000))
        assert transcript.text == "" or transcript.text in recognizer.phrases
        heard.append(transcript.text == text)
    assert any(heard)


# --- Nothing said ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(wav(np.zeros(0)), id="no frames"),
        pytest.param(wav(tone(0.01)), id="10 ms"),
        pytest.param(wav(np.zeros(32000)), id="2 s of digital silence"),
        pytest.param(wav(noise(2, level=0.0005)), id="2 s of near silence"),
        pytest.param(wav(noise(2)), id="2 s of white noise"),
        pytest.param(wav(noise(MAX_AUDIO_SECONDS, rate=8000, level=0.5), 8000), id="15 s of loud noise"),
        pytest.param(wav(tone(2, level=0.3)), id="a steady hum"),
    ],
)
def test_silence_and_noise_give_an_empty_transcript(recognizer, data):
    heard = recognizer.transcribe(data)
    assert heard.text == ""
    assert heard.audio_seconds <= MAX_AUDIO_SECONDS


@pytest.mark.parametrize("colour", ["white", "pink"])
def test_generated_noise_clips_give_nothing(recognizer, colour):
    for label, data in voice_eval.noise_clips():
        if label.startswith(colour):
            assert recognizer.transcribe(data).text == "", label


# --- Any bytes at all: a Transcript or a ListenError, nothing else ----------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_else(recognizer, data):
    outcome = _transcribe(recognizer, data)
    assert isinstance(outcome, Transcript | ListenError)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), min_size=1, max_size=6),
    cut=st.integers(0, len(GOOD)),
)
def test_damaged_wav_headers_never_raise_anything_else(recognizer, edits, cut):
    data = bytearray(GOOD[:cut] if cut > 12 else GOOD)
    for position, value in edits:
        if position < len(data):
            data[position] = value
    outcome = _transcribe(recognizer, bytes(data))
    assert isinstance(outcome, Transcript | ListenError)


def _transcribe(recognizer: Recognizer, data: bytes) -> Transcript | ListenError:
    try:
        return recognizer.transcribe(data)
    except ListenError as error:
        assert isinstance(error, DamagedRecording | RecordingTooLarge | NotARecording)
        return error


# --- Accuracy on generated voices -------------------------------------------------------------


@pytest.mark.parametrize("group", list(FLOORS))
def test_accuracy_floor_per_group(results, group):
    chosen = [r for r in results if r.case.group == group]
    share, count = voice_eval.accuracy(chosen)
    wrong = [(r.voice, r.noise, r.case.text, r.transcript.text) for r in chosen if not r.correct]
    assert count and share >= FLOORS[group], wrong


def test_transcripts_report_audio_length_and_time(results):
    for result in results:
        assert 0.2 < result.transcript.audio_seconds < 5
        assert result.transcript.decode_ms > 0


def test_concurrent_requests_get_the_same_answers_as_one_at_a_time(recognizer, clips):
    chosen = [clips[v, RATE, t] for v in VOICES for t in ("next", "go back", "leg raises", "repeat")]
    alone = [recognizer.transcribe(c).text for c in chosen]
    together: dict[int, str] = {}

    def work(index: int) -> None:
        together[index] = recognizer.transcribe(chosen[index]).text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(chosen))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [together[i] for i in range(len(chosen))] == alone


# --- Building the recogniser ----------------------------------------------------------------


def test_phrases_with_words_it_cannot_say_are_left_out(caplog):
    with caplog.at_level(logging.INFO, logger="assistant.listening"):
        recognizer = Recognizer(["next step", "next qzxv", "multidirectional leg raises"])
    assert recognizer.phrases == ("next step", "multidirectional leg raises")
    assert "qzxv" in caplog.text


def test_a_recogniser_needs_something_to_hear():
    with pytest.raises(AssistantError):
        Recognizer(["qzxv", "  "])


def test_a_subset_listens_for_its_phrases_alone(clips):
    recognizer = Recognizer(["start timer", "stop timer", "next"], subsets={"no timer": ["start timer", "next"]})
    said = clips["en-us", RATE, "stop timer"]
    assert recognizer.transcribe(said).text == "stop timer"
    assert recognizer.transcribe(said, subset="no timer").text != "stop timer"


def test_on_a_hold_step_with_no_timer_a_british_start_timer_is_not_heard_as_stop_timer(clips, seed_library):
    """British voices' "start" fits the American model's "stop" better, so the app leaves
    "stop timer" out while no timer runs (`listening_situation`): they can start one."""
    said = clips["en-gb-x-rp", RATE, "start timer"]
    assert Recognizer(["start timer", "stop timer"]).transcribe(said).text == "stop timer"  # the confusion
    recognizer = command_recognizer(build_vocabulary(seed_library), LISTENING)
    assert recognizer.transcribe(said, subset=Situation.HOLD_STEP).text in ("start timer", "start the timer")


def test_a_likelier_phrase_wins_a_close_call_only_with_a_language_weight(clips):
    said = clips["en-gb-x-rp", RATE, "start timer"]
    likelier_start = {"start first": {"start timer": 100.0, "stop timer": 1.0}}
    unweighted = Recognizer(
        ["start timer", "stop timer"], subsets=likelier_start, settings=ListenSettings(language_weight=1)
    )
    weighted = Recognizer(["start timer", "stop timer"], subsets=likelier_start)
    assert unweighted.transcribe(said, subset="start first").text == "stop timer"
    assert weighted.transcribe(said, subset="start first").text == "start timer"


def test_subsets_must_be_known_and_hearable():
    with pytest.raises(AssistantError, match="none"):
        Recognizer(["next step"], subsets={"odd": ["qzxv", "stop"]})
    with pytest.raises(ValueError, match="nowhere"):
        Recognizer(["next step"]).transcribe(GOOD, subset="nowhere")


def test_the_grammar_follows_the_content(seed_library, tmp_path):
    """Another article's exercises are spoken commands too; those no longer loaded are not."""
    (tmp_path / "kettlebell_moves.txt").write_bytes((PAGES / "kettlebell_moves.txt").read_bytes())
    recognizer = command_recognizer(build_vocabulary(load_library(tmp_path)), LISTENING)
    assert {"how do i do the goblet squat", "show me the two handed swing"} <= set(recognizer.phrases)
    assert not [p for p in recognizer.phrases if "cobra" in p]
    assert "how do i do the cobra stretch" in command_recognizer(build_vocabulary(seed_library), LISTENING).phrases


def test_a_library_without_exercises_still_gives_a_recogniser():
    assert "next step" in Recognizer(command_phrases(build_vocabulary(Library()))).phrases


# --- Pronunciations (pure) ------------------------------------------------------------------

DICTIONARY = {
    "multi": "M AH L T IY",
    "directional": "D ER EH K SH AH N AH L",
    "leg": "L EH G",
    "lying": "L AY IH NG",
    "stretch": "S T R EH CH",
    "hip": "HH IH P",
}


@pytest.mark.parametrize(
    ("word", "phones"),
    [
        ("leg", "L EH G"),
        ("multidirectional", "M AH L T IY D ER EH K SH AH N AH L"),
        ("multidirectionals", "M AH L T IY D ER EH K SH AH N AH L Z"),
        ("lyings", "L AY IH NG Z"),
        ("hips", "HH IH P S"),
        ("stretchs", "S T R EH CH IH Z"),
        ("legstretch", "L EH G S T R EH CH"),
        ("qzxv", None),
        ("thx", None),
        ("s", None),
    ],
)
def test_unknown_words_are_pronounced_from_known_parts(word, phones):
    assert pronounce(word, DICTIONARY.get) == phones


@pytest.mark.parametrize(
    ("word", "phones", "variants"),
    [
        ("start", "S T AA R T", ("S T AA T",)),
        ("timer", "T AY M ER", ("T AY M AH",)),
        ("four", "F AO R", ("F AO",)),
        ("here", "HH IY R", ("HH IY AH",)),
        ("stop", "S T AA P", ("S T AO P",)),
        ("last", "L AE S T", ("L AA S T",)),
        ("repeat", "R IH P IY T", ()),
        ("directional", "D ER EH K SH AH N AH L", ()),
        ("back", "B AE K", ("B AA K",)),
        ("thanks", "TH AE NG K S", ("TH AA NG K S",)),
        ("after", "AE F T ER", ("AE F T AH", "AA F T AH")),
    ],
)
def test_british_variants_drop_r_and_use_british_vowels(word, phones, variants):
    assert accent_variants(word, phones) == variants
