"""The engine side of the speech layer: code that runs inside the one speech worker process.

pyttsx3's espeak driver is not thread-safe, keeps only one pending utterance and must not
cross a fork, so exactly one engine lives in one spawned process and is fed one utterance
at a time. `assistant.speech` owns the process; this module is what the process runs.
Nothing here imports Flask or the rest of the assistant, so the worker starts quickly.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Final, Protocol

__all__ = [
    "EngineFactory",
    "JobResult",
    "Pyttsx3Engine",
    "SynthesisEngine",
    "SynthesisJob",
    "WorkerReady",
    "check_wav",
    "default_engine_factory",
    "load_espeak",
    "run_worker",
]

log = logging.getLogger(__name__)

UTTERANCE_WAIT_LIMIT: Final = 120.0
"""Seconds the engine waits for one utterance before giving up by itself; the owning
process kills the worker much sooner (its own timeout), so this only stops a stray hang."""

IDLE_POLL_SECONDS: Final = 0.002
"""How often to ask espeak whether it has drained its queue (settings and the end of an
utterance drain within milliseconds)."""

IDLE_WAIT_LIMIT: Final = 2.0
"""Seconds to wait for espeak to drain before starting the next utterance anyway."""

UTTERANCE_ATTEMPTS: Final = 2
"""Backstop for pyttsx3 2.99 cancelling the utterance it just started (see _apply_settings,
which removes the known cause: 0 in 12,000 since, against 1 in 1,000 before)."""

WAV_SAMPLE_WIDTH: Final = 2
"""Bytes per sample we accept: the espeak driver writes 16-bit PCM."""


class SynthesisEngine(Protocol):
    """What the worker needs from an engine: write `text` as a WAV file at `path`, blocking."""

    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None: ...


EngineFactory = Callable[[], SynthesisEngine]
"""Builds the engine inside the worker process; must be picklable (a module-level function
or a functools.partial of one) because the worker is spawned, not forked."""


@dataclass(frozen=True)
class SynthesisJob:
    """One utterance for the worker: synthesise into `tmp_path`, check it, rename to `wav_path`."""

    audio_id: str
    text: str
    voice: str
    rate: int
    tmp_path: str
    """A unique file next to `wav_path`, so the final rename is atomic."""
    wav_path: str


@dataclass(frozen=True)
class JobResult:
    """The worker's answer to one `SynthesisJob`."""

    audio_id: str
    error: str | None = None
    """None when `wav_path` now holds a checked WAV file; otherwise why not."""


@dataclass(frozen=True)
class WorkerReady:
    """First message from a new worker: its engine started, or why it did not."""

    error: str | None = None


def load_espeak() -> None:
    """Make libespeak-ng loadable for pyttsx3: the `espeakng-loader` wheel's copy when it is
    installed, else whatever system library pyttsx3 finds by itself."""
    try:
        import espeakng_loader
    except ImportError:
        log.debug("espeakng-loader not installed; relying on a system libespeak-ng")
        return
    try:
        # RTLD_GLOBAL so pyttsx3's own dlopen("libespeak-ng.so.1") finds this copy by soname.
        ctypes.CDLL(espeakng_loader.get_library_path(), mode=ctypes.RTLD_GLOBAL)
        data_path = espeakng_loader.get_data_path()
    except (OSError, RuntimeError) as exc:
        log.debug("espeakng-loader unusable (%s); relying on a system libespeak-ng", exc)
        return
    # The voice data must match the library we just loaded, so override any inherited value.
    os.environ["ESPEAK_DATA_PATH"] = data_path


class Pyttsx3Engine:
    """One pyttsx3 engine driven strictly one utterance per `runAndWait()`.

    The espeak driver synthesises on espeak's own thread and `runAndWait()` may return
    before the utterance is finished, so each call also waits for pyttsx3's
    "finished-utterance" notification and for espeak to drain.
    """

    def __init__(self, *, driver_name: str | None = "espeak") -> None:
        load_espeak()
        import pyttsx3  # here, not at module top: the library must be preloaded first

        self._engine = pyttsx3.init(driver_name)
        self._driver_name: str = self._engine.driver_name  # None above means the platform's default
        self._finished = threading.Event()
        self._outcomes: list[bool] = []
        """`completed` of each "finished-utterance" since the current utterance started."""
        self._errors: list[str] = []
        self._settings: tuple[str, int] | None = None
        """The voice and rate espeak has applied, so unchanged settings are not sent again."""
        self._engine.connect("finished-utterance", self._on_finished)
        self._engine.connect("error", self._on_error)

    def synthesize(self, text: str, *, voice: str, rate: int, path: Path) -> None:
        """Write `text` spoken with `voice` at `rate` words per minute to the WAV file `path`."""
        for attempt in range(1, UTTERANCE_ATTEMPTS + 1):
            outcomes = self._utter(lambda: self._engine.save_to_file(text, str(path)), voice=voice, rate=rate)
            # A cancelled utterance still reports completed=True (its file empty), then False.
            if all(outcomes) and _has_frames(path):
                return
            log.debug("pyttsx3 cancelled an utterance (attempt %s of %s)", attempt, UTTERANCE_ATTEMPTS)
        raise RuntimeError(f"pyttsx3 cancelled the utterance {UTTERANCE_ATTEMPTS} times")

    def speak(self, text: str, *, voice: str, rate: int, wait_limit: float) -> None:
        """Say `text` through the machine's audio output and return when it has been played.
        Never repeated: a rare cancelled utterance beats one played twice."""
        self._utter(lambda: self._engine.say(text), voice=voice, rate=rate, wait_limit=wait_limit)

    def _utter(
        self,
        queue_utterance: Callable[[], object],
        *,
        voice: str,
        rate: int,
        wait_limit: float = UTTERANCE_WAIT_LIMIT,
    ) -> list[bool]:
        """Run one utterance to its end; return the `completed` flags pyttsx3 reported."""
        self._wait_until_idle()
        self._finished.clear()
        self._outcomes.clear()
        self._errors.clear()
        self._apply_settings(voice=voice, rate=rate)
        queue_utterance()
        self._engine.runAndWait()
        if not self._finished.wait(wait_limit):
            raise RuntimeError(f"utterance did not finish within {wait_limit:.0f}s")
        self._wait_until_idle()
        if self._errors:
            raise RuntimeError("; ".join(self._errors))
        return list(self._outcomes)

    def _apply_settings(self, *, voice: str, rate: int) -> None:
        """Set voice and rate, and let espeak apply them before anything else happens.

        espeak-ng queues settings like text, so it reports "playing" until they are applied;
        runAndWait() would then call stop(), whose Cancel() can drop the new rate and leave
        a flag that cancels the next utterance (an empty file, about 1 in 1000).
        """
        if self._settings == (voice, rate):
            return
        self._settings = None
        self._engine.setProperty("voice", voice)
        self._engine.setProperty("rate", rate)
        if self._errors:
            raise RuntimeError("; ".join(self._errors))
        self._wait_until_idle()
        self._settings = (voice, rate)

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        self._outcomes.append(bool(completed))
        self._finished.set()

    def _on_error(self, name: object = None, exception: BaseException | None = None) -> None:
        self._errors.append(f"{type(exception).__name__}: {exception}")

    def _wait_until_idle(self) -> None:
        """Starting an utterance while espeak still drains the last one cancels the new one."""
        if self._driver_name != "espeak":
            return
        from pyttsx3.drivers import _espeak

        ready = threading.Event()
        for _ in range(int(IDLE_WAIT_LIMIT / IDLE_POLL_SECONDS)):
            if not _espeak.IsPlaying():
                return
            ready.wait(IDLE_POLL_SECONDS)


def default_engine_factory() -> SynthesisEngine:
    """The production engine: pyttsx3 with the espeak driver, which writes WAV files."""
    return Pyttsx3Engine(driver_name="espeak")


def check_wav(path: Path) -> None:
    """Raise ValueError unless `path` is a PCM WAV file with at least one frame."""
    try:
        with wave.open(str(path), "rb") as wav:
            frames, width = wav.getnframes(), wav.getsampwidth()
    except (wave.Error, EOFError) as exc:
        raise ValueError(f"not a WAV file: {exc}") from exc
    if width != WAV_SAMPLE_WIDTH:
        raise ValueError(f"unexpected sample width {width}")
    if frames == 0:
        raise ValueError("WAV file has no audio")


def run_worker(conn: Connection, engine_factory: EngineFactory | None) -> None:
    """The worker process's main: start the engine, then answer jobs until told to stop."""
    # The espeak driver print()s a line per saved file; keep it out of the server's output.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    try:
        engine = (engine_factory or default_engine_factory)()
    except Exception as exc:  # noqa: BLE001 - the outermost edge of the worker process
        conn.send(WorkerReady(error=_describe(exc)))
        _exit(conn)
    conn.send(WorkerReady())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        conn.send(_run_job(engine, job))
    _exit(conn)


def _run_job(engine: SynthesisEngine, job: SynthesisJob) -> JobResult:
    tmp = Path(job.tmp_path)
    try:
        engine.synthesize(job.text, voice=job.voice, rate=job.rate, path=tmp)
        check_wav(tmp)
        os.replace(tmp, job.wav_path)
    except Exception as exc:  # noqa: BLE001 - report every engine failure to the owner
        with contextlib.suppress(OSError):
            tmp.unlink()
        return JobResult(job.audio_id, error=_describe(exc))
    return JobResult(job.audio_id)


def _has_frames(path: Path) -> bool:
    try:
        check_wav(path)
    except (OSError, ValueError):
        return False
    return True


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _exit(conn: Connection) -> None:
    """Leave without interpreter teardown: espeak's native thread can hang or assert there."""
    with contextlib.suppress(OSError):
        conn.close()
    os._exit(0)
