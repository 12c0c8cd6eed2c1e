"""Load every page of a content folder into a Library: the only part of `content` that opens files."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Final

from .errors import ContentError
from .model import Article, Library
from .parser import parse_page

__all__ = ["DEFAULT_CONTENT_DIR", "build_library", "load_library", "read_page"]

log = logging.getLogger(__name__)

DEFAULT_CONTENT_DIR: Final = Path(__file__).parent / "articles"
PAGE_SUFFIXES: Final = (".txt",)
MAX_PAGE_BYTES: Final = 1_000_000  # scraped article pages are a few kB; anything bigger is not one


def read_page(path: Path) -> Article:
    """Read and parse one page file; raise ContentError naming the file and the reason."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise ContentError(name, f"file is too large ({size} bytes)")
        data = path.read_bytes()
    except OSError as error:
        raise ContentError(name, f"cannot be read ({error.strerror or error})") from error
    if b"\x00" in data:
        raise ContentError(name, "file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ContentError(name, "file is not UTF-8 text") from error
    return parse_page(text, source=name)


def build_library(articles: Iterable[Article]) -> Library:
    """Give every article and exercise a slug unique across the library (pure)."""
    taken: set[str] = set()
    unique: list[Article] = []
    for article in articles:
        exercises = tuple(replace(e, slug=_unique(e.slug, article.slug, taken)) for e in article.exercises)
        unique.append(replace(article, exercises=exercises))
    article_slugs: set[str] = set()
    return Library(tuple(replace(a, slug=_unique(a.slug, "article", article_slugs)) for a in unique))


def _unique(slug: str, prefix: str, taken: set[str]) -> str:
    """The slug itself, else prefixed by its article's slug, else numbered: first come keeps it."""
    for candidate in (slug, f"{prefix}-{slug}"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    n = 2
    while f"{prefix}-{slug}-{n}" in taken:
        n += 1
    taken.add(f"{prefix}-{slug}-{n}")
    return f"{prefix}-{slug}-{n}"


def load_library(directory: Path | str = DEFAULT_CONTENT_DIR) -> Library:
    """Load every page in `directory` (sorted by name); skip bad ones with one warning each."""
    folder = Path(directory)
    if not folder.is_dir():
        log.warning("content folder %s does not exist: no articles loaded", folder)
        return Library()
    articles = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in PAGE_SUFFIXES and p.is_file()):
        try:
            articles.append(read_page(path))
        except ContentError as error:
            log.warning("skipping article %s: %s", error.source, error.reason)
    library = build_library(articles)
    log.info("loaded %d articles from %s", len(library.articles), folder)
    return library
