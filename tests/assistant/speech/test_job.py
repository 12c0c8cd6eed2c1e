"""What to say and its id, checked before any engine runs: rates, texts, voices, job files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.speech import (
    MAX_RATE,
    MIN_RATE,
    RATE_PRESETS,
    InvalidSpeechRequest,
    SpeechError,
    SpeechJob,
    SpeechService,
    normalize_text,
    resolve_rate,
)
from assistant.speech.job import MAX_TEXT_CHARS

from .support import STEP, Script, _RaisingEngine, children

# --- Rates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 175),
        ("slow", RATE_PRESETS["slow"]),
        ("normal", RATE_PRESETS["normal"]),
        (" Fast ", RATE_PRESETS["fast"]),
        ("SLOW", RATE_PRESETS["slow"]),
        (150, 150),
        (150.4, 150),
        ("150", 150),
        (" 200 ", 200),
        ("140.6", 141),
        (MIN_RATE, MIN_RATE),
        (MAX_RATE, MAX_RATE),
        (float(MIN_RATE), MIN_RATE),
    ],
)
def test_resolve_rate_accepts_presets_and_numbers_in_range(value: object, expected: int) -> None:
    assert resolve_rate(value, default=175) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "quick",
        "slower",
        "175wpm",
        "-150",
        "1e2",
        "1_75",
        "0x10",
        "nan",
        "inf",
        MIN_RATE - 1,
        MAX_RATE + 1,
        MAX_RATE + 0.5,
        0,
        -100,
        float("nan"),
        float("inf"),
        True,
        False,
        [175],
        {"rate": 175},
    ],
)
def test_resolve_rate_rejects_everything_else(value: object) -> None:
    with pytest.raises(InvalidSpeechRequest):
        resolve_rate(value, default=175)  # type: ignore[arg-type]


def test_rate_errors_are_speech_errors_and_value_errors() -> None:
    with pytest.raises(SpeechError):
        resolve_rate("warp", default=175)
    with pytest.raises(ValueError, match="slow, normal, fast"):
        resolve_rate("warp", default=175)


def test_a_bad_default_is_rejected_too() -> None:
    with pytest.raises(InvalidSpeechRequest):
        resolve_rate(None, default=999)


# --- Ids and job files (no engine involved) ----------------------------------------------------


def test_id_ignores_layout_but_not_words_rate_or_voice() -> None:
    base = SpeechJob(normalize_text(STEP), "en-us", 175).audio_id
    assert SpeechJob(normalize_text("  " + STEP.replace(" ", "\n  ") + "\t"), "en-us", 175).audio_id == base
    assert SpeechJob(normalize_text(STEP + "!"), "en-us", 175).audio_id != base
    assert SpeechJob(normalize_text(STEP), "en-us", 176).audio_id != base
    assert SpeechJob(normalize_text(STEP), "en-gb", 175).audio_id != base
    assert len(base) == 64 and set(base) <= set("0123456789abcdef")


def test_job_file_round_trips_and_rejects_tampering() -> None:
    job = SpeechJob(normalize_text(STEP), "en-us", 150)
    assert SpeechJob.from_json(job.to_json(), audio_id=job.audio_id) == job
    tampered = job.to_json().replace("table", "tablet")
    with pytest.raises(ValueError, match="does not match"):
        SpeechJob.from_json(tampered, audio_id=job.audio_id)


@pytest.mark.parametrize("text", ["", "   \n\t ", "x" * (MAX_TEXT_CHARS + 1)])
def test_unspeakable_texts_are_refused(make_service: Callable[..., SpeechService], text: str) -> None:
    with pytest.raises(InvalidSpeechRequest):
        make_service().audio_id(text)


@pytest.mark.parametrize(
    "options",
    [
        {"voice": "en us; rm -rf"},
        {"voice": ""},
        {"rate": 5},
        {"timeout": 0},
        {"timeout": float("nan")},
    ],
)
def test_bad_service_options_are_refused(tmp_path: Path, options: dict[str, object]) -> None:
    with pytest.raises(InvalidSpeechRequest):
        SpeechService(tmp_path, **options)  # type: ignore[arg-type]


def test_engine_factory_must_be_picklable(tmp_path: Path) -> None:
    with pytest.raises(InvalidSpeechRequest, match="picklable"):
        SpeechService(tmp_path, engine_factory=lambda: _RaisingEngine())


def test_audio_id_only_records_a_job_and_never_starts_the_engine(
    make_service: Callable[..., SpeechService], script: Script
) -> None:
    script.set("refuse")  # would log a warning and turn unhealthy if ever started
    before = children()
    service = make_service(engine_factory=script.factory)
    audio_id = service.audio_id(STEP, rate=150)
    assert audio_id == service.audio_id(STEP, rate=150)
    assert audio_id != service.audio_id(STEP)
    assert (service.cache_dir / f"{audio_id}.json").is_file()
    assert not (service.cache_dir / f"{audio_id}.wav").exists()
    assert not list(service.cache_dir.glob("*.tmp"))
    assert service.healthy
    assert children() == before
