"""Word graphs built once per content version: kept on disk by a hash of what builds them.

At 10,000 exercises a situation's graph takes about 0.7 s to build in Python and every decoder
process of every worker needs four; read back, it takes a fraction of that. The key is the
phrases with their weights, the names and the code that builds the graph, so new content, a
new phrasing or a new release builds afresh (`kept.py` says how the file is kept).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from kept import cache_folder, keep, read_kept

from . import grammar
from .grammar import WordGraph, word_graph

__all__ = ["kept_word_graph"]

FORMAT: Final = "word-graph-v1"
"""Bump when WordGraph changes shape."""
CODE: Final = Path(grammar.__file__)


def kept_word_graph(phrases: Mapping[str, float], names: Sequence[str], cache_dir: Path | None = None) -> WordGraph:
    """`word_graph(phrases, phrases, names=names)`, read back when kept, else built and kept."""
    path = cache_folder(cache_dir) / f"word-graph-{_key(phrases, names)}.pickle"
    graph = read_kept(path, WordGraph)
    if graph is None:
        graph = word_graph(phrases, phrases, names=names)
        keep(graph, path)
    return graph


def _key(phrases: Mapping[str, float], names: Sequence[str]) -> str:
    digest = hashlib.sha256(FORMAT.encode() + b"\0" + CODE.read_bytes())
    for phrase, weight in phrases.items():
        digest.update(f"\0{phrase}\t{weight!r}".encode())
    digest.update(b"\0\0" + "\0".join(names).encode())
    return digest.hexdigest()[:24]
