"""The cache directory shared by every process: job records, WAV files, pruning by size. File I/O only."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from .errors import SpeechError, SpeechUnavailable
from .job import MAX_TEXT_CHARS, SpeechJob

__all__ = ["DEFAULT_CACHE_BYTES", "WAV_HEADER_BYTES", "CacheDir"]

log = logging.getLogger(__name__)


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


class CacheDir:
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
