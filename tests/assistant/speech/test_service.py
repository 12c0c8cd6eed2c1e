"""The speech service: real synthesis, the cache, faults of the engine and the worker, its lifecycle."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.speech import (
    SpeechService,
    dispatch,
)
from assistant.speech import service as service_module

from .support import LONG, SHORT, STEP, Script, assert_speech, children, wait_until, warnings_from_speech

# --- Real synthesis -----------------------------------------------------------------------


def test_wav_is_mono_pcm_speech_that_lengthens_with_the_words(real_service: SpeechService) -> None:
    durations = [assert_speech(real_service.wav_path(real_service.audio_id(text))) for text in (SHORT, STEP, LONG)]
    assert durations == sorted(durations) and len(set(durations)) == 3


def test_slower_rate_gives_longer_audio(real_service: SpeechService) -> None:
    slow = assert_speech(real_service.wav_path(real_service.audio_id(STEP, rate="slow")))  # type: ignore[arg-type]
    fast = assert_speech(real_service.wav_path(real_service.audio_id(STEP, rate="fast")))  # type: ignore[arg-type]
    assert slow > fast


def test_any_process_can_synthesise_from_the_job_file(real_service: SpeechService, tmp_path: Path) -> None:
    """Two gunicorn workers: one registers the text, the other serves the audio."""
    registering = SpeechService(real_service.cache_dir, engine_factory=Script(tmp_path / "never", "refuse").factory)
    audio_id = registering.audio_id("Place your hands palm down on the floor at chest level.")
    registering.close()
    assert_speech(real_service.wav_path(audio_id))


def test_second_fetch_is_served_from_cache(make_service: Callable[..., SpeechService], script: Script) -> None:
    service = make_service(engine_factory=script.factory)
    audio_id = service.audio_id(STEP)
    first = service.wav_path(audio_id)
    assert_speech(first)
    assert first is not None
    made_at = first.stat().st_mtime_ns
    assert service.wav_path(audio_id) == first
    assert service.request(STEP) == audio_id
    assert service.wav_path(audio_id) == first
    assert first.stat().st_mtime_ns == made_at
    assert script.synthesised == [STEP]


def test_request_synthesises_ahead_of_the_fetch(make_service: Callable[..., SpeechService], script: Script) -> None:
    service = make_service(engine_factory=script.factory)
    audio_id = service.request(SHORT)
    wav = service.cache_dir / f"{audio_id}.wav"
    assert wait_until(wav.exists)
    assert service.wav_path(audio_id) == wav
    assert script.synthesised == [SHORT]


def test_twenty_concurrent_fetches_all_get_audio_each_text_made_once(
    make_service: Callable[..., SpeechService], script: Script
) -> None:
    service = make_service(engine_factory=script.factory)
    texts = [f"Step {n}: keep your back flat and breathe out slowly." for n in range(5)]
    ids = [service.audio_id(text) for text in texts] * 4
    with ThreadPoolExecutor(max_workers=20) as pool:
        paths = list(pool.map(service.wav_path, ids))
    for audio_id, path in zip(ids, paths, strict=True):
        assert path == service.cache_dir / f"{audio_id}.wav"
        assert_speech(path)
    assert sorted(script.synthesised) == sorted(texts)


def test_prerender_makes_every_text_once_and_skips_empty_ones(
    make_service: Callable[..., SpeechService], script: Script
) -> None:
    service = make_service(engine_factory=script.factory)
    texts = [SHORT, STEP, "", LONG, STEP]
    service.prerender(texts)
    wavs = [service.cache_dir / f"{service.audio_id(text)}.wav" for text in (SHORT, STEP, LONG)]
    assert wait_until(lambda: all(wav.exists() for wav in wavs))
    for wav in wavs:
        assert_speech(wav)
    assert sorted(script.synthesised) == sorted([SHORT, STEP, LONG])


def test_no_temporary_files_are_left_behind(make_service: Callable[..., SpeechService], script: Script) -> None:
    service = make_service(engine_factory=script.factory)
    service.wav_path(service.audio_id(SHORT))
    files = [p for p in service.cache_dir.iterdir() if p.name != ".prune.lock"]  # pruning's cross-process lock
    assert sorted(p.suffix for p in files) == [".json", ".wav"]


# --- Faults ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "raise", "hang", "garbage", "die"])
def test_engine_faults_give_none_one_warning_then_recover(
    make_service: Callable[..., SpeechService],
    script: Script,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.speech")
    script.set(mode)
    service = make_service(engine_factory=script.factory, timeout=1.0)
    audio_id = service.audio_id(STEP)

    assert service.wav_path(audio_id) is None
    assert len(warnings_from_speech(caplog)) == 1
    assert not service.healthy
    assert not (service.cache_dir / f"{audio_id}.wav").exists()

    script.set("good")  # read by the next worker, so this proves the worker was restarted
    assert_speech(service.wav_path(audio_id))
    assert service.healthy
    assert len(warnings_from_speech(caplog)) == 1
    assert not list(service.cache_dir.glob("*.tmp"))


def test_faulty_background_work_does_not_break_later_fetches(
    make_service: Callable[..., SpeechService], script: Script, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.speech")
    script.set("raise")
    service = make_service(engine_factory=script.factory)
    service.prerender([SHORT])
    assert wait_until(lambda: not service.healthy)
    script.set("good")
    assert_speech(service.wav_path(service.audio_id(SHORT)))
    assert len(warnings_from_speech(caplog)) == 1


def test_unhealthy_only_for_a_cooldown_so_callers_that_skip_audio_retry(
    make_service: Callable[..., SpeechService], script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatch, "FAULT_COOLDOWN", 0.0)
    monkeypatch.setattr(service_module, "FAULT_COOLDOWN", 0.0)
    script.set("raise")
    service = make_service(engine_factory=script.factory)
    assert service.wav_path(service.audio_id(SHORT)) is None
    assert service.healthy  # the cooldown (zero here) is over: the app may ask again


# --- Ids that must not reach any file ------------------------------------------------------------


@pytest.mark.parametrize(
    "audio_id",
    [
        "",
        "abc",
        "../etc/passwd",
        "/etc/passwd",
        "../" + "0" * 61,
        "0" * 63,
        "0" * 65,
        "0" * 64 + "\n",
        "A" * 64,
        "g" * 64,
        "0" * 32 + ".wav" + "0" * 28,
        "0" * 64 + "/../secret",
        None,
        123,
    ],
)
def test_malformed_ids_give_none(real_service: SpeechService, audio_id: object) -> None:
    assert real_service.wav_path(audio_id) is None  # type: ignore[arg-type]


def test_unknown_id_gives_none_without_synthesis(make_service: Callable[..., SpeechService], script: Script) -> None:
    before = children()
    service = make_service(engine_factory=script.factory)
    assert service.wav_path("0" * 64) is None
    assert script.synthesised == []
    assert children() == before


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[]", b'{"text": "hi"}', b'{"text": "hi", "voice": "en-us", "rate": 175}'],
)
def test_bad_or_mismatched_job_files_give_none(
    make_service: Callable[..., SpeechService], script: Script, content: bytes
) -> None:
    service = make_service(engine_factory=script.factory)
    audio_id = "ab" * 32
    (service.cache_dir / f"{audio_id}.json").write_bytes(content)
    assert service.wav_path(audio_id) is None
    assert script.synthesised == []


# --- Lifecycle -----------------------------------------------------------------------------------


def test_close_stops_the_worker_and_keeps_cached_files(
    make_service: Callable[..., SpeechService], script: Script
) -> None:
    before = children()
    service = make_service(engine_factory=script.factory)
    cached = service.audio_id(SHORT)
    assert service.wav_path(cached) is not None
    assert len(children() - before) == 1
    uncached = service.audio_id(STEP)

    service.close()
    service.close()

    assert children() == before
    assert not service.healthy
    assert service.wav_path(cached) == service.cache_dir / f"{cached}.wav"
    assert service.wav_path(uncached) is None
    assert script.synthesised == [SHORT]


@pytest.mark.parametrize("mode", ["hang", "stall"])
def test_close_cuts_a_hung_worker_short_without_a_warning(
    make_service: Callable[..., SpeechService],
    script: Script,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.WARNING, logger="assistant.speech")
    script.set(mode)
    before = children()
    service = make_service(engine_factory=script.factory, timeout=600.0)
    service.request(SHORT)
    assert wait_until(lambda: len(children() - before) == 1)

    service.close()  # would wait the 600 s timeout if it only asked the worker to stop

    assert children() == before
    assert warnings_from_speech(caplog) == []
