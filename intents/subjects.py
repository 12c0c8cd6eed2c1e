"""Which exercises an article offers for a body part or goal: "how do I stretch my calves".

When no exercise is named, a body part or goal is not enough to choose one: the person is
asked which, among the exercises whose article is about it (its title, introduction and
exercise names; a word in passing in a step does not make an article about it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from content import Library
from content.model import Article

from .normalize import normalize
from .retrieval import stem

__all__ = ["SubjectIndex", "build_subject_index"]

# Words that show a request for exercises although no exercise is named.
REQUEST_WORDS: Final = frozenset(
    "stretch stretches stretching exercise exercises exercising something anything work loosen "
    "strengthen strengthening routine moves move help good better relieve ease fix tight stiff "
    "weak stronger strong steady steadier balance tone firm".split()
)


@dataclass(frozen=True, slots=True)
class SubjectIndex:
    by_stem: Mapping[str, tuple[str, ...]]
    """Stem of a word the article is about -> slugs of that article's exercises, in library order."""
    article_of: Mapping[str, str]
    """Exercise slug -> slug of its article."""
    titles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Article slug -> the normalised words of its title."""

    def title_words(self, exercise: str) -> frozenset[str]:
        return self.titles.get(self.article_of.get(exercise, ""), frozenset())

    def candidates(
        self, words: list[str], *, ignorable: frozenset[str], commands: frozenset[str] = frozenset()
    ) -> tuple[str, ...]:
        """Exercises for what was asked: every content word must be a subject of some article,
        and a request word must be there ("stretch", "something for"). A command word counts only
        as part of a two-word subject ("lower back", not "back")."""
        if not REQUEST_WORDS & set(words):
            return ()
        kept = [w for w in words if w not in ignorable and w not in REQUEST_WORDS]
        paired = self._pairs([stem(w) for w in kept])
        singles = {stem(w) for w in kept if w in commands}
        subjects = [s for s in paired if s not in singles]
        if not subjects or any(s not in self.by_stem for s in subjects):
            return ()
        chosen = set.intersection(*(set(self.by_stem[s]) for s in subjects))
        order = {slug: i for i, slug in enumerate(self.article_of)}
        return tuple(sorted(chosen, key=order.__getitem__))

    def _pairs(self, stems: list[str]) -> list[str]:
        """ "lower back" is one subject when an article says it so: not every mention of "back"."""
        out: list[str] = []
        for current in stems:
            pair = f"{out[-1]} {current}" if out else ""
            if pair in self.by_stem:
                out[-1] = pair
            else:
                out.append(current)
        return out


def _everything(article: Article) -> list[str]:
    """All the article says: a body part mentioned anywhere, even in a step or a warning, is
    one its exercises work on ("keep your knees soft" is about knees too)."""
    steps = [s.text for e in article.exercises for s in e.steps]
    titles = [e.title for e in article.exercises]
    return [article.title, article.intro, *titles, *steps, *article.warnings, *article.tips]


def build_subject_index(library: Library) -> SubjectIndex:
    by_stem: dict[str, list[str]] = defaultdict(list)
    for article in library.articles:
        text = " ".join(_everything(article))
        stems = [stem(w) for w in normalize(text).split()]
        for subject in set(stems) | {f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)}:
            by_stem[subject].extend(e.slug for e in article.exercises)
    article_of = {e.slug: a.slug for a in library.articles for e in a.exercises}
    titles = {a.slug: frozenset(normalize(a.title).split()) for a in library.articles}
    return SubjectIndex({k: tuple(dict.fromkeys(v)) for k, v in by_stem.items()}, article_of, titles)
