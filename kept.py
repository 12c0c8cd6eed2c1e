"""Files kept to start faster: built once, read back by every later process (var/cache).

A kept file is named by a hash of everything that built it, so a change builds afresh; it is
written whole or not at all, and one that is damaged, foreign or of another shape is built
again. The folder is the server's own (mode 0700, $ASSISTANT_CACHE_DIR to move it): what is
read back is trusted as much as the code beside it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from pathlib import Path
from typing import Final, TypeVar

__all__ = ["CACHE_ENV", "DEFAULT_CACHE_DIR", "cache_folder", "keep", "read_kept"]

log = logging.getLogger(__name__)

CACHE_ENV: Final = "ASSISTANT_CACHE_DIR"
DEFAULT_CACHE_DIR: Final = Path(__file__).resolve().parent / "var" / "cache"

T = TypeVar("T")


def cache_folder(given: Path | None = None) -> Path:
    """`given`, else $ASSISTANT_CACHE_DIR, else var/cache."""
    return given or Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def read_kept(path: Path, kind: type[T]) -> T | None:
    """The `kind` kept at `path`; None when there is none to read, or it is not one."""
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        with path.open("rb") as stream:
            value = pickle.load(stream)  # noqa: S301 - our own file, in our own folder (see above)
        if isinstance(value, kind):
            return value
    return None


def keep(value: object, path: Path) -> None:
    """Write `value` to `path` whole (atomically); a read-only disk only costs a rebuild."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        log.info("kept %s", path)
