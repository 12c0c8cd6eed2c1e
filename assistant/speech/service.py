"""The speech service the web app uses: register a text, get its audio id, read its WAV once made."""

from __future__ import annotations

import logging
import math
import os
import pickle
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from .cache import DEFAULT_CACHE_BYTES, WAV_HEADER_BYTES, CacheDir
from .dispatch import FAULT_COOLDOWN, STARTUP_FLOOR, Dispatcher, Priority, Ticket
from .errors import InvalidSpeechRequest, SpeechError, SpeechUnavailable
from .job import DEFAULT_RATE, SpeechJob, check_voice, is_audio_id, normalize_text, quantize_rate, resolve_rate
from .worker import (
    EngineFactory,
)

__all__ = ["SpeechService", "longest_wait"]

log = logging.getLogger(__name__)


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
        self._cache = CacheDir(Path(cache_dir), max_bytes=max_bytes)
        self._lock = threading.Lock()
        self._dispatcher: Dispatcher | None = None
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
            self._submit(job, Priority.AHEAD)
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
        outcome = self._submit(job, Priority.DEMAND).wait(longest_wait(self._timeout))
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

    def _submit(self, job: SpeechJob, priority: Priority) -> Ticket:
        with self._lock:
            if self._dispatcher is not None and self._dispatcher.pid != os.getpid():
                self._dispatcher = None  # inherited through fork: its thread and worker are not ours
            if self._dispatcher is None and not self._closed:
                self._dispatcher = Dispatcher(self._cache, engine_factory=self._engine_factory, timeout=self._timeout)
            dispatcher = self._dispatcher
        if dispatcher is None:
            ticket = Ticket()
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
                self._submit(job, Priority.BACKGROUND)


def longest_wait(timeout: float) -> float:
    """How long wav_path() may block: (re)starting the worker, then one utterance."""
    return max(timeout, STARTUP_FLOOR) + timeout


def _require_picklable(engine_factory: EngineFactory | None) -> None:
    try:
        pickle.dumps(engine_factory)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise InvalidSpeechRequest(f"engine_factory must be picklable (a module-level function): {exc}") from exc
