"""The structured content every reply is built from: immutable, and nothing but the article's words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    exercises: tuple[Exercise, ...] = field(init=False, repr=False, compare=False)
    """Every exercise, in article order; with the lookups below, made once, not per turn."""
    _by_slug: dict[str, Exercise] = field(init=False, repr=False, compare=False)
    _article_of: dict[str, Article] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        exercises = tuple(e for a in self.articles for e in a.exercises)
        object.__setattr__(self, "exercises", exercises)
        object.__setattr__(self, "_by_slug", {e.slug: e for e in reversed(exercises)})
        object.__setattr__(self, "_article_of", {e.slug: a for a in reversed(self.articles) for e in a.exercises})

    def exercise(self, slug: str) -> Exercise | None:
        return self._by_slug.get(slug)

    def article_of(self, exercise_slug: str) -> Article | None:
        return self._article_of.get(exercise_slug)


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
