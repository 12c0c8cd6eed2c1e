"""Speech: turn reply texts into cached WAV files, and speak aloud in the terminal chat.

The shared state is the cache directory, not memory: registering a text writes
`<id>.json` (text, voice, rate), so any process serving the app (gunicorn runs several)
can later synthesise `<id>.wav` on demand. Synthesis runs in ONE spawned worker process
per service holding ONE long-lived pyttsx3 engine, fed one utterance at a time by ONE
dispatcher thread; request threads only read files and wait on a ticket.

Faults (engine will not start, synthesis fails or hangs, worker dies) never reach the
caller: it gets None, one warning is logged, and the worker is restarted on next use.
"""

from __future__ import annotations

import contextlib
import enum
import fcntl
import hashlib
import itertools
import json
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from content.errors import AssistantError

from .rates import WORDS_PER_MINUTE
from .speech_worker import (
    EngineFactory,
    JobResult,
    Pyttsx3Engine,
    SynthesisJob,
    WorkerReady,
    run_worker,
)

__all__ = [
    "DEFAULT_RATE",
    "MAX_RATE",
    "MIN_RATE",
    "RATE_PRESETS",
    "InvalidSpeechRequest",
    "SpeechError",
    "SpeechJob",
    "SpeechService",
    "SpeechUnavailable",
    "normalize_text",
    "quantize_rate",
    "resolve_rate",
    "speak_aloud",
]

log = logging.getLogger(__name__)

# --- Constants -------------------------------------------------------------------------

RATE_PRESETS: Final = WORDS_PER_MINUTE
"""Words per minute of each rate name (assistant/rates.py)."""

DEFAULT_RATE: Final = RATE_PRESETS["normal"]
MIN_RATE: Final = 80
"""espeak-ng's floor: it silently clamps anything slower to 80."""
MAX_RATE: Final = 320
"""Above this, step-by-step instructions stop being intelligible."""

RATE_STEPS: Final = (100, 130, 175, 230, 280)
"""The rates speech is actually made at: any requested rate is spoken at the nearest of these,
so variety in requested rates cannot multiply cached files (the presets, and one step beyond each end)."""

MAX_TEXT_CHARS: Final = 5000
"""Bounds one utterance (about 5 minutes of speech); the longest article section is far shorter."""

CACHE_FORMAT: Final = "speech-v1"
"""Hashed into every id: bump it when synthesis output changes, and old files are orphaned."""

AUDIO_ID_PATTERN: Final = re.compile(r"[0-9a-f]{64}")
"""A sha256 hex digest; nothing else may become a file name under the cache directory."""

VOICE_PATTERN: Final = re.compile(r"[A-Za-z0-9_+/-]{1,64}")
"""espeak voice names such as "en-us", "gmw/en-us" or "en+f3"."""

RATE_TEXT_PATTERN: Final = re.compile(r"\d{1,3}(\.\d+)?")
"""A rate sent as text: plain decimal only (float() would also take "1_75", "nan", "1e2")."""

WAV_HEADER_BYTES: Final = 44
"""A cached file no bigger than a bare header is a truncated write, not audio."""

MAX_JOB_BYTES: Final = 6 * MAX_TEXT_CHARS + 1024
"""Longer than any valid job file (a character is at most 6 bytes of JSON: `\u0001`); a
bigger file is not ours, so it is not even parsed."""

STALE_TMP_SECONDS: Final = 600.0
"""A temporary file of a live process older than this was left behind (no write takes this
long); those of a dead process, or of this one before it started, are swept whatever their age."""

DEFAULT_CACHE_BYTES: Final = 500_000_000
"""Bound of the cache directory's disk use: tens of thousands of replies."""

PRUNE_ABOVE: Final = 0.9
PRUNE_TO: Final = 0.8
"""Prune once the cache passes 90% of its bound, down to 80%: headroom for what other
processes write between two scans, and no scan for every new file."""

RESCAN_EVERY: Final = 32
"""Rescan the directory after this many files of our own, to count other processes' files."""

TOUCH_AFTER: Final = 60.0
"""A served WAV's mtime (its last use, for pruning) is refreshed at most once a minute."""

MIN_FREE_BYTES: Final = 8_000_000
"""Less free space than this (a few long replies) is a full disk: synthesis is not tried."""

KILL_GRACE: Final = 2.0
"""Seconds to let a stopped or killed worker exit before giving up on joining it."""

CLOSE_GRACE: Final = 0.5
"""Seconds close() lets the current utterance finish (~30 ms is typical); cutting a longer
one short costs only a cache entry, while waiting could hold up a server's shutdown."""

FAULT_COOLDOWN: Final = 30.0
"""Seconds `healthy` stays False after a fault: callers that skip audio while unhealthy then
try again, without spawning a doomed worker for every reply meanwhile."""

STARTUP_FLOOR: Final = 5.0
"""Least time allowed to start the worker (a fresh interpreter plus pyttsx3, ~0.3 s when
idle): a short per-utterance timeout must not make a busy machine fail every restart."""

AUDIO_PLAYER: Final = "aplay"
"""pyttsx3's espeak driver plays each utterance by running `aplay` (alsa-utils)."""

PROBE_SECONDS: Final = 0.02
"""Length of the silent clip played to check that an audio device exists."""

PROBE_TIMEOUT: Final = 5.0
"""A player that cannot play 20 ms of silence in this time has no usable device."""

PLAYBACK_SLACK: Final = 10.0
"""Seconds allowed on top of twice the expected speaking time before speak_aloud gives up."""


class _Priority(enum.IntEnum):
    """Queue order for the worker: lower goes first."""

    STOP = -1
    DEMAND = 0
    """A request thread is waiting for this file."""
    AHEAD = 1
    """The reply was just sent; its audio will probably be fetched in a moment."""
    BACKGROUND = 2
    """Pre-rendering the library."""


# --- Errors ----------------------------------------------------------------------------


class SpeechError(AssistantError):
    """Base of every error this module raises."""


class InvalidSpeechRequest(SpeechError, ValueError):
    """A bad rate, voice, timeout or text from the caller."""


class SpeechUnavailable(SpeechError):
    """No speech engine or no audio output on this machine."""


# --- Pure core -------------------------------------------------------------------------


def resolve_rate(value: str | int | float | None, *, default: int) -> int:
    """Words per minute from a preset name ("slow", "normal", "fast"), a number, or `default`
    when None; raise InvalidSpeechRequest for anything else or outside MIN_RATE..MAX_RATE."""
    if value is None:
        value = default
    if isinstance(value, str):
        key = value.strip().lower()
        if key in RATE_PRESETS:
            return RATE_PRESETS[key]
        if not RATE_TEXT_PATTERN.fullmatch(key):
            raise InvalidSpeechRequest(_rate_problem(value))
        value = float(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidSpeechRequest(_rate_problem(value))
    if not MIN_RATE <= value <= MAX_RATE:  # also False for NaN; no float() of a huge int (OverflowError)
        raise InvalidSpeechRequest(_rate_problem(value))
    return round(value)


def quantize_rate(rate: int) -> int:
    """The RATE_STEPS rate nearest `rate` (the slower one on a tie)."""
    return min(RATE_STEPS, key=lambda step: (abs(step - rate), step))


def _rate_problem(value: object) -> str:
    presets = ", ".join(RATE_PRESETS)
    return f"rate {value!r} is not one of {presets} or a number from {MIN_RATE} to {MAX_RATE}"


def normalize_text(text: str) -> str:
    """The text as it will be spoken: whitespace collapsed, so layout never changes the id."""
    if not isinstance(text, str):
        raise InvalidSpeechRequest(f"text must be a string, not {type(text).__name__}")
    spoken = " ".join(text.split())
    if not spoken:
        raise InvalidSpeechRequest("nothing to say: the text is empty")
    if len(spoken) > MAX_TEXT_CHARS:
        raise InvalidSpeechRequest(f"text is {len(spoken)} characters; at most {MAX_TEXT_CHARS}")
    return spoken


def check_voice(voice: str) -> str:
    """Return `voice` if it looks like an espeak voice name, else raise InvalidSpeechRequest."""
    if not isinstance(voice, str) or not VOICE_PATTERN.fullmatch(voice):
        raise InvalidSpeechRequest(f"voice {voice!r} is not a voice name like 'en-us'")
    return voice


def is_audio_id(value: object) -> bool:
    """True for exactly 64 lowercase hex digits: the only names allowed into the cache."""
    return isinstance(value, str) and AUDIO_ID_PATTERN.fullmatch(value) is not None


@dataclass(frozen=True)
class SpeechJob:
    """What to synthesise, and the id naming its files: sha256 of format, voice, rate, text."""

    text: str
    """Already normalised (see `normalize_text`)."""
    voice: str
    rate: int
    audio_id: str = field(init=False)

    def __post_init__(self) -> None:
        key = json.dumps([CACHE_FORMAT, self.voice, self.rate, self.text], ensure_ascii=False)
        object.__setattr__(self, "audio_id", hashlib.sha256(key.encode("utf-8")).hexdigest())

    def to_json(self) -> str:
        data = {"text": self.text, "voice": self.voice, "rate": self.rate}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes, *, audio_id: str) -> SpeechJob:
        """Parse a job file; raise ValueError unless it is well formed and hashes to `audio_id`."""
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("job file is not an object")
        text, voice, rate = data.get("text"), data.get("voice"), data.get("rate")
        if not (isinstance(text, str) and isinstance(voice, str) and type(rate) is int):
            raise ValueError("job file lacks text, voice or rate")
        job = cls(normalize_text(text), check_voice(voice), resolve_rate(rate, default=DEFAULT_RATE))
        if job.audio_id != audio_id:
            raise ValueError("job file does not match its id")
        return job


# --- The cache directory (file I/O) ----------------------------------------------------


class _CacheDir:
    """`<id>.json` job files and `<id>.wav` audio, every write atomic (tmp file + rename).

    Job files are the durable record of what an id says and are never pruned (they are a few
    hundred bytes, one per reply text and rate); WAV files are pruned least recently used
    first to keep the directory under `max_bytes`. Another process may be reading a WAV we
    delete: it has it open (the data stays until it closes) or finds it gone and makes it again.
    """

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpeechError(f"cannot create speech cache {root}: {exc}") from exc
        self.root = root
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._estimate = 0
        """Disk use at the last scan plus what this process wrote since."""
        self._written_since_scan = 0
        self._sweep_stale_tmp()
        self.prune()

    def wav_file(self, audio_id: str) -> Path:
        return self.root / f"{audio_id}.wav"

    def job_file(self, audio_id: str) -> Path:
        return self.root / f"{audio_id}.json"

    def tmp_file(self, final: Path) -> Path:
        """A unique sibling of `final`, so concurrent writers never share a temporary file."""
        return final.with_name(f"{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")

    def has_wav(self, audio_id: str) -> bool:
        try:
            return self.wav_file(audio_id).stat().st_size > WAV_HEADER_BYTES
        except OSError:
            return False

    def write_job(self, job: SpeechJob) -> None:
        path = self.job_file(job.audio_id)
        if path.exists():
            return
        tmp = self.tmp_file(path)
        try:
            tmp.write_text(job.to_json(), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    def read_job(self, audio_id: str) -> SpeechJob | None:
        path = self.job_file(audio_id)
        try:
            with path.open("rb") as stream:
                raw = stream.read(MAX_JOB_BYTES + 1)
            if len(raw) > MAX_JOB_BYTES:
                raise ValueError("job file too large")
            return SpeechJob.from_json(raw, audio_id=audio_id)
        except FileNotFoundError:
            log.debug("no job file for audio id %s", audio_id)
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable speech job %s: %s", path, exc)
        return None

    def check_writable(self, final: Path) -> Path:
        """A fresh temporary file for `final`, created now; SpeechUnavailable at once when
        the disk is full or read-only (instead of waiting for the engine to fail)."""
        try:
            usage = os.statvfs(self.root)
            if usage.f_bavail * usage.f_frsize < MIN_FREE_BYTES:
                raise SpeechUnavailable(f"the disk holding {self.root} is full")
            tmp = self.tmp_file(final)
            tmp.open("xb").close()
        except OSError as exc:
            raise SpeechUnavailable(f"cannot write to the speech cache {self.root}: {exc}") from exc
        return tmp

    def touch(self, path: Path) -> None:
        """Mark `path` as just used, so pruning keeps it longer."""
        with contextlib.suppress(OSError):
            if time.time() - path.stat().st_mtime > TOUCH_AFTER:
                os.utime(path)

    def note_written(self, path: Path) -> None:
        """Count a file this process just wrote; prune when the cache may be over its bound."""
        with contextlib.suppress(OSError):
            size = _disk_bytes(path.stat())
            with self._lock:
                self._estimate += size
                self._written_since_scan += 1
                due = self._estimate > self.max_bytes * PRUNE_ABOVE or self._written_since_scan >= RESCAN_EVERY
            if due:
                self.prune(keep=path)

    def prune(self, *, keep: Path | None = None) -> None:
        """Delete least recently used WAVs (never `keep`, just made for someone waiting) until
        the cache is at most PRUNE_TO of its bound; one process at a time (others skip: the
        pruner counts their files too)."""
        with _exclusive(self.root / ".prune.lock") as ours:
            if not ours:
                return
            total, wavs = self._scan()
            if total > self.max_bytes * PRUNE_ABOVE:
                for _, size, path in sorted(wavs):
                    if total <= self.max_bytes * PRUNE_TO:
                        break
                    if path == keep:
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
                        total -= size
                if total > self.max_bytes * PRUNE_TO:
                    log.warning("speech cache %s cannot be pruned under %d bytes; raise its size", self.root, total)
            with self._lock:
                self._estimate, self._written_since_scan = total, 0

    def _scan(self) -> tuple[int, list[tuple[float, int, Path]]]:
        total, wavs = 0, []
        with os.scandir(self.root) as entries:
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                total += _disk_bytes(info)
                if entry.name.endswith(".wav"):
                    wavs.append((info.st_mtime, _disk_bytes(info), Path(entry.path)))
        return total, wavs

    def _sweep_stale_tmp(self) -> None:
        """Remove temporary files no live process will finish: at start-up, whatever their age."""
        cutoff = time.time() - STALE_TMP_SECONDS
        for tmp in self.root.glob("*.tmp"):
            with contextlib.suppress(OSError):
                if not _writer_alive(tmp) or tmp.stat().st_mtime < cutoff:
                    tmp.unlink()


def _disk_bytes(info: os.stat_result) -> int:
    """Space a file takes on disk (a 300-byte job file takes a whole 4 kB block)."""
    return max(info.st_size, getattr(info, "st_blocks", 0) * 512)


def _writer_alive(tmp: Path) -> bool:
    """Whether another live process may still be writing `tmp` (named `<final>.<pid>.<hex>.tmp`)."""
    parts = tmp.name.rsplit(".", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False  # written by this process before it (re)started: nothing of ours is writing yet
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[bool]:
    """Hold an advisory lock across processes if free; yields False when another holds it."""
    try:
        stream = lock_path.open("a")
    except OSError:
        yield True  # cannot even create a lock file (read-only): nothing will be written to prune
        return
    with stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(stream, fcntl.LOCK_UN)


# --- The worker process and the thread that feeds it ------------------------------------


class _WorkerFault(Exception):
    """The worker failed one job or died; it will be replaced. Never leaves this module."""


class _Worker:
    """One spawned process holding one engine; used only by the dispatcher thread."""

    def __init__(self, engine_factory: EngineFactory | None, *, timeout: float) -> None:
        """Spawn the worker (without waiting for its engine: see wait_ready)."""
        context = multiprocessing.get_context("spawn")  # fork would copy locks and espeak state
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=run_worker, args=(child_conn, engine_factory), name="speech-worker", daemon=True
        )
        self._timeout = timeout
        try:
            self._process.start()
        except OSError as exc:  # cannot spawn: out of processes or memory
            self._conn.close()
            raise _WorkerFault(f"cannot start the worker: {exc}") from exc
        finally:
            child_conn.close()  # the child has its own copy; ours would hide its exit from us

    def wait_ready(self) -> None:
        """Wait for the engine to start; raise _WorkerFault if it fails or takes too long."""
        ready = self._receive(max(self._timeout, STARTUP_FLOOR))
        if not isinstance(ready, WorkerReady) or ready.error:
            reason = ready.error if isinstance(ready, WorkerReady) else repr(ready)
            raise _WorkerFault(f"engine did not start: {reason}")

    def run(self, job: SynthesisJob) -> None:
        """Have the worker synthesise `job`; raise _WorkerFault on error, timeout or death."""
        try:
            self._conn.send(job)
        except OSError as exc:
            raise _WorkerFault(f"worker is gone: {exc}") from exc
        result = self._receive(self._timeout)
        if not isinstance(result, JobResult) or result.audio_id != job.audio_id:
            raise _WorkerFault(f"unexpected answer from worker: {result!r}")
        if result.error:
            raise _WorkerFault(result.error)

    def _receive(self, timeout: float) -> Any:
        ready = multiprocessing.connection.wait([self._conn, self._process.sentinel], timeout)
        if not ready:
            raise _WorkerFault(f"no answer within {timeout:g}s")
        if self._conn not in ready:
            raise _WorkerFault(f"worker exited with code {self._exitcode()}")
        try:
            return self._conn.recv()
        except (EOFError, OSError) as exc:
            raise _WorkerFault(f"worker exited with code {self._exitcode()}") from exc

    def _exitcode(self) -> int | None:
        self._process.join(KILL_GRACE)
        return self._process.exitcode

    def kill(self) -> None:
        """Cut the current utterance short from another thread; the owner then sees a fault."""
        with contextlib.suppress(ValueError, OSError):  # already closed by its owner
            self._process.kill()

    def stop(self, *, kill: bool) -> None:
        """Ask the worker to leave (or kill it), then release the pipe and the process."""
        if not kill and self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._process.join(KILL_GRACE)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(KILL_GRACE)
        self._conn.close()
        with contextlib.suppress(ValueError):  # still running after all: leave it to the OS
            self._process.close()


class _Ticket:
    """A request thread's handle on one pending synthesis."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._ok = False

    def resolve(self, ok: bool) -> None:
        self._ok = ok
        self._done.set()

    def wait(self, timeout: float) -> bool | None:
        """True if the file was made, False if synthesis failed, None if still pending."""
        return self._ok if self._done.wait(timeout) else None


@dataclass
class _Pending:
    """A job waiting for the dispatcher, and the most urgent priority it was queued at."""

    job: SpeechJob
    priority: _Priority
    ticket: _Ticket = field(default_factory=_Ticket)


class _Dispatcher:
    """Owns the worker and the one thread that talks to it; jobs for one id are merged."""

    def __init__(self, cache: _CacheDir, *, engine_factory: EngineFactory | None, timeout: float) -> None:
        self.pid = os.getpid()
        """The process this dispatcher (its thread, its worker) belongs to."""
        self._faulted_at: float | None = None
        """time.monotonic() of the last fault, or None once a synthesis has succeeded since."""
        self._cache = cache
        self._engine_factory = engine_factory
        self._timeout = timeout
        self._queue: queue.PriorityQueue[tuple[int, int, str]] = queue.PriorityQueue()
        self._order = itertools.count()  # FIFO among equal priorities
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._worker: _Worker | None = None
        self._closed = False

    @property
    def healthy(self) -> bool:
        """False for FAULT_COOLDOWN seconds after a fault, unless a synthesis succeeds first."""
        faulted_at = self._faulted_at
        return faulted_at is None or time.monotonic() - faulted_at >= FAULT_COOLDOWN

    def submit(self, job: SpeechJob, priority: _Priority) -> _Ticket:
        """Queue `job` unless it is already queued at least as urgently; never blocks."""
        with self._lock:
            if self._closed:
                ticket = _Ticket()
                ticket.resolve(False)
                return ticket
            pending = self._pending.get(job.audio_id)
            if pending is None:
                pending = self._pending[job.audio_id] = _Pending(job, priority)
            elif priority >= pending.priority:
                return pending.ticket
            pending.priority = priority
            self._queue.put((priority, next(self._order), job.audio_id))
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="speech-dispatch", daemon=True)
                self._thread.start()
            return pending.ticket

    def close(self) -> None:
        """Stop the thread and the worker; pending tickets resolve as failed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        self._queue.put((_Priority.STOP, -1, ""))
        if thread is not None:
            thread.join(CLOSE_GRACE)  # let the current utterance finish...
            if thread.is_alive() and (worker := self._worker) is not None:
                worker.kill()  # ...or cut it short rather than hold up shutdown
            thread.join(2 * KILL_GRACE)
        self._fail_pending()

    def _serve(self) -> None:
        while True:
            priority, _, audio_id = self._queue.get()
            if priority == _Priority.STOP:
                self._stop_worker(kill=False)
                return
            with self._lock:
                pending = self._pending.get(audio_id)
            if pending is None:  # a more urgent copy of this job was served already
                continue
            try:
                ok = self._synthesise(pending.job)
            except Exception:  # the thread's outermost edge: it must outlive any bug below
                log.exception("speech dispatcher failed on %s", audio_id)
                self._stop_worker(kill=True)
                ok = False
            with self._lock:
                self._pending.pop(audio_id, None)
            pending.ticket.resolve(ok)
            # Only now, so whoever sees the fault and retries gets a fresh job, not this one.
            self._faulted_at = None if ok else time.monotonic()

    def _synthesise(self, job: SpeechJob) -> bool:
        if self._cache.has_wav(job.audio_id):  # maybe another process made it meanwhile
            return True
        wav = self._cache.wav_file(job.audio_id)
        try:
            tmp = self._cache.check_writable(wav)
        except SpeechUnavailable as fault:
            log.warning("speech synthesis of %s not tried: %s", job.audio_id, fault)
            return False
        work = SynthesisJob(job.audio_id, job.text, job.voice, job.rate, str(tmp), str(wav))
        try:
            if self._worker is None:
                # Published before it is ready, so close() can kill a worker stuck starting.
                self._worker = _Worker(self._engine_factory, timeout=self._timeout)
                self._worker.wait_ready()
            self._worker.run(work)
        except _WorkerFault as fault:
            if self._closed:  # killed by close(): expected, not a fault worth a warning
                log.debug("speech synthesis of %s cut short by close: %s", job.audio_id, fault)
            else:
                log.warning("speech synthesis of %s failed, worker will restart: %s", job.audio_id, fault)
            self._stop_worker(kill=True)
            with contextlib.suppress(OSError):
                Path(work.tmp_path).unlink()
            return False
        self._cache.note_written(wav)
        return True

    def _stop_worker(self, *, kill: bool) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(kill=kill)

    def _fail_pending(self) -> None:
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        for item in pending:
            item.ticket.resolve(False)


# --- The service -----------------------------------------------------------------------


class SpeechService:
    """Texts in, cached WAV files out; one per process, shared through the cache directory."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        voice: str = "en-us",
        rate: int = DEFAULT_RATE,
        timeout: float = 10.0,
        engine_factory: EngineFactory | None = None,
        max_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        """`timeout` bounds each utterance and starting the worker (which gets at least
        STARTUP_FLOOR); `engine_factory` (picklable, called inside the worker) replaces
        pyttsx3, e.g. with a fake in tests; `max_bytes` bounds the cache directory."""
        if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
            raise InvalidSpeechRequest(f"timeout must be a positive number of seconds, not {timeout!r}")
        _require_picklable(engine_factory)
        self._voice = check_voice(voice)
        self._rate = resolve_rate(rate, default=DEFAULT_RATE)
        self._timeout = float(timeout)
        self._engine_factory = engine_factory
        if not isinstance(max_bytes, int) or max_bytes <= 0:
            raise InvalidSpeechRequest(f"max_bytes must be a positive number of bytes, not {max_bytes!r}")
        self._cache = _CacheDir(Path(cache_dir), max_bytes=max_bytes)
        self._lock = threading.Lock()
        self._dispatcher: _Dispatcher | None = None
        self._closed = False
        self._disk_fault_at: float | None = None
        """time.monotonic() when a job file could not be written (a full or read-only disk)."""

    @property
    def cache_dir(self) -> Path:
        return self._cache.root

    @property
    def healthy(self) -> bool:
        """False once closed, and for FAULT_COOLDOWN seconds after a synthesis fault (ended
        early by a success). Audio is still attempted meanwhile; this only advises callers."""
        with self._lock:
            dispatcher = self._dispatcher
        disk_fault = self._disk_fault_at is not None and time.monotonic() - self._disk_fault_at < FAULT_COOLDOWN
        return not self._closed and not disk_fault and (dispatcher is None or dispatcher.healthy)

    def audio_id(self, text: str, *, rate: int | None = None) -> str:
        """The id of `text` spoken at `rate` (default: the service's; spoken at the nearest of
        RATE_STEPS); records a job file so any process can synthesise it later. Never
        synthesises, never waits on the engine. Raises InvalidSpeechRequest for empty or
        over-long text or a bad rate."""
        return self._register(text, rate=rate).audio_id

    def request(self, text: str, *, rate: int | None = None) -> str:
        """Like `audio_id`, and also start synthesising in the background; returns at once.
        Raises SpeechUnavailable when the job file cannot be written: an id is only handed
        out once it can be synthesised again later, by any process."""
        job = self._register(text, rate=rate, durable=True)
        if not self._cache.has_wav(job.audio_id):
            self._submit(job, _Priority.AHEAD)
        return job.audio_id

    def wav_path(self, audio_id: str) -> Path | None:
        """The WAV file for `audio_id`, synthesised now if needed (waiting at most
        `longest_wait(timeout)`); None for an unknown or malformed id or when synthesis fails."""
        if not is_audio_id(audio_id):
            log.debug("rejected malformed audio id %r", audio_id)
            return None
        if self._cache.has_wav(audio_id):
            return self._cache.wav_file(audio_id)
        job = self._cache.read_job(audio_id)
        if job is None:
            return None
        outcome = self._submit(job, _Priority.DEMAND).wait(longest_wait(self._timeout))
        if outcome is None:
            log.info("gave up waiting for speech %s; it is still queued", audio_id)
        return self._cache.wav_file(audio_id) if outcome and self._cache.has_wav(audio_id) else None

    def wav_bytes(self, audio_id: str) -> bytes | None:
        """The WAV data of `audio_id`, synthesised again if it was pruned; None for an id
        nobody handed out, SpeechUnavailable for a known one that cannot be made just now."""
        if not is_audio_id(audio_id):
            return None
        for _ in range(2):  # pruned between finding and reading it: make it again, once
            path = self.wav_path(audio_id)
            if path is None:
                break
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise SpeechUnavailable(f"cannot read cached speech: {exc}") from exc
            if len(data) > WAV_HEADER_BYTES:
                self._cache.touch(path)
                return data
        if self._cache.read_job(audio_id) is None:
            return None
        raise SpeechUnavailable("synthesis failed; it will be tried again")

    def prerender(self, texts: Iterable[str]) -> None:
        """Register and synthesise `texts` in the background, one utterance at a time and
        behind anything a user is waiting for; returns at once."""
        thread = threading.Thread(target=self._prerender, args=(list(texts),), name="speech-prerender", daemon=True)
        thread.start()

    def close(self) -> None:
        """Stop the worker; cached files stay usable. Safe to call twice."""
        with self._lock:
            self._closed = True
            dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None and dispatcher.pid == os.getpid():
            dispatcher.close()

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _register(self, text: str, *, rate: int | None, durable: bool = False) -> SpeechJob:
        words_per_minute = quantize_rate(resolve_rate(rate, default=self._rate))
        job = SpeechJob(normalize_text(text), self._voice, words_per_minute)
        try:
            self._cache.write_job(job)
        except OSError as exc:
            self._disk_fault_at = time.monotonic()
            log.warning("cannot record speech job %s: %s", job.audio_id, exc)
            if durable:
                raise SpeechUnavailable(f"cannot record speech: {exc}") from exc
        return job

    def _submit(self, job: SpeechJob, priority: _Priority) -> _Ticket:
        with self._lock:
            if self._dispatcher is not None and self._dispatcher.pid != os.getpid():
                self._dispatcher = None  # inherited through fork: its thread and worker are not ours
            if self._dispatcher is None and not self._closed:
                self._dispatcher = _Dispatcher(self._cache, engine_factory=self._engine_factory, timeout=self._timeout)
            dispatcher = self._dispatcher
        if dispatcher is None:
            ticket = _Ticket()
            ticket.resolve(False)
            return ticket
        return dispatcher.submit(job, priority)

    def _prerender(self, texts: list[str]) -> None:
        for text in texts:
            if self._closed:
                return
            try:
                job = self._register(text, rate=None)
            except SpeechError as exc:
                log.debug("not pre-rendering %r: %s", text[:40], exc)
                continue
            if not self._cache.has_wav(job.audio_id):
                self._submit(job, _Priority.BACKGROUND)


def longest_wait(timeout: float) -> float:
    """How long wav_path() may block: (re)starting the worker, then one utterance."""
    return max(timeout, STARTUP_FLOOR) + timeout


def _require_picklable(engine_factory: EngineFactory | None) -> None:
    try:
        pickle.dumps(engine_factory)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise InvalidSpeechRequest(f"engine_factory must be picklable (a module-level function): {exc}") from exc


# --- Speaking aloud (terminal chat) -----------------------------------------------------


def speak_aloud(text: str, *, voice: str, rate: int) -> None:
    """Say `text` through this machine's audio output and return when done; raise
    SpeechUnavailable when there is no engine or no audio device."""
    spoken = normalize_text(text)
    words_per_minute = resolve_rate(rate, default=DEFAULT_RATE)
    check_voice(voice)
    require_audio_output()
    try:
        engine = Pyttsx3Engine(driver_name=None)
    except Exception as exc:  # noqa: BLE001 - any import or init failure means "no engine"
        raise SpeechUnavailable(f"no speech engine: {type(exc).__name__}: {exc}") from exc
    expected = 60.0 * len(spoken.split()) / words_per_minute
    try:
        engine.speak(spoken, voice=voice, rate=words_per_minute, wait_limit=2 * expected + PLAYBACK_SLACK)
    except RuntimeError as exc:
        raise SpeechUnavailable(f"speaking failed: {exc}") from exc


def require_audio_output() -> None:
    """Raise SpeechUnavailable unless the player pyttsx3 uses can play a short silence.

    Needed because the espeak driver ignores the player's exit status: without a sound
    card `say()` would "succeed" silently.
    """
    if not sys.platform.startswith("linux"):
        return  # the macOS and Windows drivers play through the OS directly
    player = shutil.which(AUDIO_PLAYER)
    if player is None:
        raise SpeechUnavailable(f"no audio player: pyttsx3 plays through '{AUDIO_PLAYER}' (alsa-utils)")
    with tempfile.TemporaryDirectory(prefix="speech-probe-") as folder:
        probe = Path(folder) / "silence.wav"
        _write_silence(probe, seconds=PROBE_SECONDS)
        try:
            done = subprocess.run(
                [player, "-q", str(probe)],
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechUnavailable(f"audio player unusable: {exc}") from exc
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        raise SpeechUnavailable(f"no audio output device: {reason}")


def _write_silence(path: Path, *, seconds: float) -> None:
    rate = 22050
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(rate * seconds))
