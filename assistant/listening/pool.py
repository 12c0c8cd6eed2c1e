"""Listening kept apart from chat: recordings are decoded in a small pool of processes.

pocketsphinx holds the GIL while it decodes (up to 0.4 s at a time for a 15 s recording), so
decoding on a server thread would stall every other request of that process. Each decoder is
a spawned process (never forked: the server process may hold threads and locks) holding one
`Recognizer`, run at a lower CPU priority so chat replies go first on a busy machine. The
pool is bounded: at most `decoders + queue` recordings are in it at once; one more is refused
at once with `ListenBusy` (the web answers 503 with Retry-After) instead of waiting on a server
thread.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures.process import BrokenProcessPool
from typing import Final

from intents.words import Vocabulary

from .errors import ListenBusy, ListenError
from .recognizer import ListeningRule, ListenSettings, Recognizer, Transcript, command_recognizer

__all__ = ["DecodePool", "RecognizerFactory", "build_recognizer"]

log = logging.getLogger(__name__)

DECODER_NICENESS: Final = 10
"""Decoders yield the CPU to the server process: a chat reply needs a few ms, a decode ~1 s."""

BROKEN_COOLDOWN: Final = 10.0
"""Seconds to refuse recordings after the decoders died, instead of respawning them per request."""

RecognizerFactory = Callable[[], Recognizer]
"""Builds the recogniser inside a decoder process; must be picklable (a module-level function
or a functools.partial of one), because decoders are spawned."""


def build_recognizer(
    vocabulary: Vocabulary,
    situations: Mapping[str, ListeningRule] | None = None,
    settings: ListenSettings | None = None,
) -> Recognizer:
    """The production recogniser for a library's `vocabulary` (runs inside a decoder process)."""
    return command_recognizer(vocabulary, situations, settings=settings)


_recognizer: Recognizer | None = None
"""The decoder process's own recogniser: a process-wide value because the process exists only
to hold it (set once by `_start`, never in the server process)."""


def _start(factory: RecognizerFactory) -> None:
    global _recognizer
    with contextlib.suppress(OSError):
        os.nice(DECODER_NICENESS)
    _recognizer = factory()


def _ready() -> bool:
    return _recognizer is not None


def _transcribe(data: bytes, subset: str | None) -> Transcript | ListenError:
    """A recording the decoder could not read comes back as its error, a value (it pickles)."""
    if _recognizer is None:
        return ListenBusy("Listening is not ready on this server.")
    try:
        return _recognizer.transcribe(data, subset=subset)
    except ListenError as error:
        return error


class DecodePool:
    """`transcribe` like a Recognizer's, but in decoder processes and refusing when full."""

    def __init__(self, factory: RecognizerFactory, *, decoders: int, queue: int, timeout: float) -> None:
        if decoders < 1 or queue < 0 or timeout <= 0:
            raise ValueError("a decode pool needs at least one decoder, a queue of 0 or more, a positive timeout")
        self._factory = factory
        self._decoders = decoders
        self._slots = threading.BoundedSemaphore(decoders + queue)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._executor: concurrent.futures.ProcessPoolExecutor | None = None
        self._closed = False
        self._broken_at: float | None = None
        """time.monotonic() when the decoders last died (or failed to start)."""
        self._warming: list[concurrent.futures.Future[bool]] = []

    def warm_up(self) -> None:
        """Start the decoders now (each builds its recogniser, ~1 s) instead of on first use."""
        executor = self._pool()
        self._warming = [executor.submit(_ready) for _ in range(self._decoders)]

    @property
    def status(self) -> str:
        """"idle" before `warm_up` (decoders start with the first recording), "starting" while
        they build their recognisers (seconds at 10,000 exercises, chat served meanwhile),
        "ready", or "failed" if one could not start."""
        warming = self._warming
        if not warming:
            return "idle"
        if not all(f.done() for f in warming):
            return "starting"
        return "ready" if all(not f.cancelled() and f.exception() is None for f in warming) else "failed"

    def transcribe(self, data: bytes, *, subset: str | None = None) -> Transcript:
        """The command said in WAV `data`; ListenError for unreadable audio (its kind says
        why) and ListenBusy when the pool is full, broken or too slow."""
        broken_at = self._broken_at
        if broken_at is not None and time.monotonic() - broken_at < BROKEN_COOLDOWN:
            raise ListenBusy("Listening failed on this server a moment ago; please try again shortly.")
        if not self._slots.acquire(blocking=False):
            raise ListenBusy("The server is busy listening to others; please try again in a moment.")
        try:
            future = self._pool().submit(_transcribe, bytes(data), None if subset is None else str(subset))
        except (BrokenProcessPool, RuntimeError) as error:  # a decoder died, or the pool is shut down
            self._slots.release()
            self._discard()
            raise ListenBusy(f"Listening is unavailable just now ({error}); please try again.") from error
        future.add_done_callback(lambda _: self._slots.release())  # the slot is free when decoding ends
        try:
            outcome = future.result(timeout=self._timeout)
        except concurrent.futures.TimeoutError as error:
            raise ListenBusy("Decoding took too long; please try again in a moment.") from error
        except BrokenProcessPool as error:
            log.warning("a speech decoder died; starting new ones: %s", error)
            self._discard()
            raise ListenBusy("Listening failed on this server; please try again.") from error
        if isinstance(outcome, ListenError):
            raise outcome
        return outcome

    def close(self) -> None:
        """Stop the decoders; waiting requests are answered ListenBusy."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def _pool(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the decode pool is closed")
            if self._executor is None:
                self._executor = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self._decoders,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(self._factory,),
                )
            return self._executor

    def _discard(self) -> None:
        """Forget a broken pool; a request after BROKEN_COOLDOWN starts a new one."""
        self._broken_at = time.monotonic()
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
