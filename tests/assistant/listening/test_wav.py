"""Bytes that must be refused (and how), and the layouts that must be read as the same signal."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from assistant.listening import (
    MAX_AUDIO_BYTES,
    MAX_AUDIO_SECONDS,
    DamagedRecording,
    ListenError,
    NotARecording,
    RecordingTooLarge,
)
from assistant.listening.wav import read_wav
from errors import AssistantError

from .support import GOOD, noise, tone, wav

# --- Bytes that must be refused -------------------------------------------------------------


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
