"""Engines for the speech worker (module-level: the spawned worker unpickles them), and helpers."""

from __future__ import annotations

import array
import functools
import logging
import math
import multiprocessing
import os
import sys
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

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
