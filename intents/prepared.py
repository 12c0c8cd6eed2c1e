"""What understanding a content folder takes, built once and kept on disk by the content's hash.

Loading and indexing 10,000 exercises takes seconds; reading them back takes about a fifth of
that. The key is a hash of every page and of the code and data that build the index, so an
edited article or a new release builds afresh; the file is written whole or not at all, and
a damaged or foreign one is rebuilt. The folder is the server's own (var/cache, mode 0700):
what is read back is trusted as much as the code beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from content import Library, load_library
from content.loader import PAGE_SUFFIXES

from .index import RouterIndex, build_index
from .learned import CACHE_ENV, DEFAULT_CACHE_DIR
from .outcomes import Thresholds
from .words import Vocabulary, build_vocabulary

__all__ = ["Prepared", "prepare"]

log = logging.getLogger(__name__)

FORMAT: Final = "prepared-v1"
"""Bump when what is kept changes shape."""
CODE: Final = tuple(
    sorted(
        p
        for folder in (Path(__file__).parent, Path(__file__).parents[1] / "content")
        for p in folder.iterdir()
        if p.suffix in {".py", ".toml", ".tsv"}
    )
)
"""Every file whose change changes what is built."""


@dataclass(frozen=True, slots=True)
class Prepared:
    library: Library
    vocabulary: Vocabulary
    index: RouterIndex


def prepare(content: Path, thresholds: Thresholds | None = None, cache_dir: Path | None = None) -> Prepared:
    """The library of `content`, its vocabulary and router index: read back when kept, else built
    (and kept). Thresholds are applied after, so settings never need a rebuild."""
    folder = cache_dir or Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)
    kept = folder / f"prepared-{_key(content)}.pickle"
    prepared = _read(kept)
    if prepared is None:
        library = load_library(content)
        vocabulary = build_vocabulary(library)
        prepared = Prepared(library, vocabulary, build_index(library, vocabulary=vocabulary))
        _write(prepared, kept)
    if thresholds is not None:
        prepared = replace(prepared, index=replace(prepared.index, thresholds=thresholds))
    return prepared


def _key(content: Path) -> str:
    digest = hashlib.sha256(f"{FORMAT} {sys.version_info[:2]}".encode())
    pages = (
        sorted(p for p in content.iterdir() if p.suffix in PAGE_SUFFIXES and p.is_file()) if content.is_dir() else []
    )
    for path in (*pages, *CODE):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def _read(path: Path) -> Prepared | None:
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        with path.open("rb") as stream:
            prepared = pickle.load(stream)  # noqa: S301 - our own file, in our own folder (see above)
        if isinstance(prepared, Prepared):
            return prepared
    return None


def _write(prepared: Prepared, path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only disk only costs the next start a rebuild
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as stream:
            pickle.dump(prepared, stream, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        log.info("kept the prepared library in %s", path)
