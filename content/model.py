"""The structured content every reply is built from: immutable, and nothing but the article's words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import ascii_fold


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    """1-based position within its exercise."""
    text: str
    """The step's words from the page, whitespace normalised."""


@dataclass(frozen=True, slots=True)
class Exercise:
    title: str
    slug: str
    """Unique across the whole library (see `Library`)."""
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    slug: str
    intro: str
    exercises: tuple[Exercise, ...]
    warnings: tuple[str, ...]
    """Safety paragraphs, read before the first step of any of its exercises."""
    tips: tuple[str, ...]
    things_needed: tuple[str, ...]
    author: str | None
    source: str
    """Where the page came from (its file name)."""


@dataclass(frozen=True, slots=True)
class Library:
    """Every loaded article; exercise slugs are unique across it."""

    articles: tuple[Article, ...] = ()

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for a in self.articles for e in a.exercises)

    def exercise(self, slug: str) -> Exercise | None:
        return next((e for e in self.exercises if e.slug == slug), None)

    def article_of(self, exercise_slug: str) -> Article | None:
        return next((a for a in self.articles for e in a.exercises if e.slug == exercise_slug), None)


def slugify(text: str) -> str:
    """'Cobra Stretch' -> 'cobra-stretch' (ASCII, lower case, hyphens)."""
    ascii_text = ascii_fold(text)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "untitled"


def to_dict(article: Article) -> dict[str, object]:
    """The JSON shape of GET /api/articles."""
    return {
        "title": article.title,
        "slug": article.slug,
        "intro": article.intro,
        "exercises": [
            {"title": e.title, "slug": e.slug, "steps": [s.text for s in e.steps]} for e in article.exercises
        ],
        "warnings": list(article.warnings),
        "tips": list(article.tips),
        "things_needed": list(article.things_needed),
        "author": article.author,
    }
