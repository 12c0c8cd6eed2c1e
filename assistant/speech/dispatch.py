"""The one worker process and the one thread that feeds it, one utterance at a time; faults restart it."""

from __future__ import annotations

import contextlib
import enum
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .cache import CacheDir
from .errors import SpeechUnavailable
from .job import SpeechJob
from .worker import (
    EngineFactory,
    JobResult,
    SynthesisJob,
    WorkerReady,
    run_worker,
)

__all__ = ["FAULT_COOLDOWN", "STARTUP_FLOOR", "Dispatcher", "Priority", "Ticket"]

log = logging.getLogger(__name__)


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


class Priority(enum.IntEnum):
    """Queue order for the worker: lower goes first."""

    STOP = -1
    DEMAND = 0
    """A request thread is waiting for this file."""
    AHEAD = 1
    """The reply was just sent; its audio will probably be fetched in a moment."""
    BACKGROUND = 2
    """Pre-rendering the library."""


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


class Ticket:
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
    priority: Priority
    ticket: Ticket = field(default_factory=Ticket)


class Dispatcher:
    """Owns the worker and the one thread that talks to it; jobs for one id are merged."""

    def __init__(self, cache: CacheDir, *, engine_factory: EngineFactory | None, timeout: float) -> None:
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

    def submit(self, job: SpeechJob, priority: Priority) -> Ticket:
        """Queue `job` unless it is already queued at least as urgently; never blocks."""
        with self._lock:
            if self._closed:
                ticket = Ticket()
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
        self._queue.put((Priority.STOP, -1, ""))
        if thread is not None:
            thread.join(CLOSE_GRACE)  # let the current utterance finish...
            if thread.is_alive() and (worker := self._worker) is not None:
                worker.kill()  # ...or cut it short rather than hold up shutdown
            thread.join(2 * KILL_GRACE)
        self._fail_pending()

    def _serve(self) -> None:
        while True:
            priority, _, audio_id = self._queue.get()
            if priority == Priority.STOP:
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
