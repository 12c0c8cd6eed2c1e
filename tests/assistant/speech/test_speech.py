"""The speech layer: ids and rates (pure), the cache and worker (real espeak and fakes), and
speaking aloud (a fake `aplay`: this sandbox has no sound card)."""

from __future__ import annotations

import array
import functools
import logging
import math
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
    SpeechUnavailable,
    dispatch,
    normalize_text,
    resolve_rate,
    speak_aloud,
)
from assistant.speech import service as service_module
from assistant.speech.job import MAX_TEXT_CHARS
from assistant.speech.worker import Pyttsx3Engine, SynthesisEngine

STEP = "Lie on your back on the edge of a table or bed with the leg you will stretch near the edge."
SHORT = "Hold for a count of twenty."
LONG = (
    "Raise your leg forward at sixty degrees, slowly, as high as you can and lower back down. "
    "Be careful not to allow your hips to change positions or rotate. Repeat the sequence "
    "ten times and then reverse with the other leg, keeping your back straight throughout."
)
SETTLE_LIMIT = 30.0
"""Upper bound for background work to show up; only ever reached when something is broken."""
SILENCE_RMS = 100.0
"""RMS of 16-bit samples below which a clip counts as silent (espeak speech is in the 1000s)."""


# --- Engines for the worker: module-level so the spawned worker can unpickle them --------


class _CountingEngine:
    """The real engine, plus one line per synthesis appended to a log file."""

    def __init__(self, log_path: str) -> None:
        self._inner = Pyttsx3Engine()
        self._log_path = log_path

    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        with open(self._log_path, "a", encoding="utf-8") as log_file:
            log_file.write(text + "\n")
        self._inner.synthesize(text, voice=voice, rate=rate, path=path)


class _RaisingEngine:
    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        raise RuntimeError("synthesiser exploded")


class _HangingEngine:
    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        threading.Event().wait()


class _GarbageEngine:
    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")


class _DyingEngine:
    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        os._exit(3)


def scripted_engine(folder: str) -> SynthesisEngine:
    """The engine named in `<folder>/mode` when the worker starts; "good" is the real one."""
    mode = Path(folder, "mode").read_text().strip()
    if mode == "good":
        return _CountingEngine(str(Path(folder, "synth.log")))
    if mode == "refuse":
        raise RuntimeError("no speech engine on this machine")
    if mode == "stall":  # never finishes starting
        threading.Event().wait()
    fakes: dict[str, type[SynthesisEngine]] = {
        "raise": _RaisingEngine,
        "hang": _HangingEngine,
        "garbage": _GarbageEngine,
        "die": _DyingEngine,
    }
    return fakes[mode]()


class Script:
    """Chooses the engine the next worker starts with, and counts real syntheses."""

    def __init__(self, folder: Path, mode: str = "good") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.factory = functools.partial(scripted_engine, str(folder))
        self.set(mode)

    def set(self, mode: str) -> None:
        (self.folder / "mode").write_text(mode)

    @property
    def synthesised(self) -> list[str]:
        log_path = self.folder / "synth.log"
        return log_path.read_text(encoding="utf-8").splitlines() if log_path.exists() else []


# --- Helpers and fixtures ----------------------------------------------------------------


def wait_until(condition: Callable[[], bool]) -> bool:
    """Poll `condition` until true or SETTLE_LIMIT passes; return its last value."""
    deadline = time.monotonic() + SETTLE_LIMIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def read_pcm(path: Path) -> tuple[wave._wave_params, array.array[int]]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = array.array("h", wav.readframes(params.nframes))
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples


def assert_speech(path: Path | None) -> float:
    """Assert `path` is a mono 16-bit PCM WAV holding audible sound; return its seconds."""
    assert path is not None and path.is_file()
    assert path.read_bytes()[:4] == b"RIFF" and path.read_bytes()[8:12] == b"WAVE"
    params, samples = read_pcm(path)
    assert (params.nchannels, params.sampwidth, params.comptype) == (1, 2, "NONE")
    assert params.nframes > 0
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    assert rms > SILENCE_RMS
    return params.nframes / params.framerate


def children() -> set[int]:
    """Pids of live child processes (other tests' module-scoped workers included)."""
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def warnings_from_speech(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("assistant.speech") and r.levelno == logging.WARNING]


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., SpeechService]]:
    made: list[SpeechService] = []

    def make(**options: object) -> SpeechService:
        service = SpeechService(tmp_path / "cache", **options)  # type: ignore[arg-type]
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


@pytest.fixture(scope="module")
def real_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechService]:
    """One service on the real engine, shared by tests that only read what it makes."""
    with SpeechService(tmp_path_factory.mktemp("speech")) as service:
        yield service


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return Script(tmp_path / "engine")


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


# --- Speaking aloud ---------------------------------------------------------------------

FAKE_APLAY = """#!/bin/sh
# Stands in for alsa-utils' aplay: {behaviour}
for arg in "$@"; do
  case "$arg" in *.wav) {action} ;; esac
done
"""


def install_fake_aplay(folder: Path, *, action: str, behaviour: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    aplay = folder / "aplay"
    aplay.write_text(FAKE_APLAY.format(action=action, behaviour=behaviour))
    aplay.chmod(aplay.stat().st_mode | stat.S_IXUSR)
    return folder


def test_speak_aloud_without_an_audio_player_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # this sandbox's situation: no alsa-utils at all
    with pytest.raises(SpeechUnavailable, match="no audio player"):
        speak_aloud(SHORT, voice="en-us", rate=175)


def test_speak_aloud_without_a_sound_card_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = install_fake_aplay(
        tmp_path / "bin",
        behaviour="a machine without a sound card",
        action='echo "aplay: main:831: audio open error: No such file or directory" >&2; exit 1',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(SpeechUnavailable, match="audio open error"):
        speak_aloud(SHORT, voice="en-us", rate=175)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the espeak driver plays through aplay on Linux")
def test_speak_aloud_plays_the_spoken_text(tmp_path: Path) -> None:
    """In a child process: it loads espeak and changes PATH, which the test run must not share."""
    played = tmp_path / "played"
    played.mkdir()
    bin_dir = install_fake_aplay(
        tmp_path / "bin", behaviour="keeps a copy of what it plays", action=f'cp "$arg" "{played}/"'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    code = f"from assistant.speech import speak_aloud; speak_aloud({LONG!r}, voice='en-us', rate=175)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).parents[3],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    clips = [p for p in played.iterdir() if p.name != "silence.wav"]
    assert len(clips) == 1
    assert assert_speech(clips[0]) > 5.0  # LONG is ~45 words: about 15 s of speech at 175 wpm
