"""What understanding a content folder takes, built once and kept on disk by the content's hash.

Loading and indexing 10,000 exercises takes seconds; reading them back takes about a fifth of
that. The key is a hash of every page and of the code and data that build the index, so an
edited article or a new release builds afresh (`kept.py` says how the file is kept).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from content import Library, load_library
from content.loader import PAGE_SUFFIXES
from kept import cache_folder, keep, read_kept

from .index import RouterIndex, build_index
from .outcomes import Thresholds
from .words import Vocabulary, build_vocabulary

__all__ = ["Prepared", "prepare"]

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
    kept = cache_folder(cache_dir) / f"prepared-{_key(content)}.pickle"
    prepared = read_kept(kept, Prepared)
    if prepared is None:
        library = load_library(content)
        vocabulary = build_vocabulary(library)
        prepared = Prepared(library, vocabulary, build_index(library, vocabulary=vocabulary))
        keep(prepared, kept)
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
