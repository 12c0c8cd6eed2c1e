"""Parse one scraped page of the sports site into an `Article`.

The page format, as scraped (see content/articles/ and tests/content/pages/):
site chrome (a tagline, a category menu of "<icon> Created with Sketch." captions
and "<Category>" / "<Category> articles" pairs), the title on its own line, the
intro, exercise headings each followed by numbered steps ("  1. ..."), and
sections under headers such as "Warning(s)", "Tips", "Things Needed" and
"About the Author", interleaved with more chrome ("Cite this Article ...",
"Try our awesome promobar!"). Sections may come in any order and any may be
missing. Pure: text in, article out, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from .errors import ContentError
from .model import Article, Exercise, Step, slugify

__all__ = ["parse_page"]

CHROME_LINES: Final = (
    re.compile(r"created with sketch\.?$", re.I),  # icon captions of the menu
    re.compile(r"^your #1 source for all things sports", re.I),  # tagline
    re.compile(r"^cite this article\b", re.I),
    re.compile(r"^try our awesome promobar", re.I),
)
NUMBERED: Final = re.compile(r"^(?:step\s+)?(\d{1,3})(?:[.):]\s+|[.):]?$)(.*)$", re.I)
BULLET: Final = re.compile(r"^[•·●▪◦\-*–]\s*(.+)$")
HEADING_MAX_WORDS: Final = 10  # exercise headings are short titles, not sentences
TITLE_MAX_CHARS: Final = 200  # a longer first line is a paragraph, so the page has no title


class Section(StrEnum):
    INTRO = "intro"
    EXERCISE = "exercise"
    WARNINGS = "warnings"
    TIPS = "tips"
    THINGS = "things_needed"
    AUTHOR = "author"
    IGNORED = "ignored"


SECTION_HEADERS: Final = {
    "warning": Section.WARNINGS,
    "warnings": Section.WARNINGS,
    "caution": Section.WARNINGS,
    "tip": Section.TIPS,
    "tips": Section.TIPS,
    "things needed": Section.THINGS,
    "things you'll need": Section.THINGS,
    "things you will need": Section.THINGS,
    "about the author": Section.AUTHOR,
    "references": Section.IGNORED,
    "resources": Section.IGNORED,
}


@dataclass(frozen=True, slots=True)
class Item:
    """One logical line of the page: a numbered step, a bullet or a text paragraph."""

    kind: str  # "numbered" | "bullet" | "text"
    text: str
    indent: int
    number: int = 0


def parse_page(text: str, *, source: str = "<page>") -> Article:
    """Turn a scraped page into an Article, or raise ContentError saying why not."""
    if not isinstance(text, str):
        raise ContentError(source, "page is not text")
    if "\x00" in text:
        raise ContentError(source, "page is binary, not text")
    items = _items(_strip_chrome(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")))
    if not items:
        raise ContentError(source, "page is empty")
    title = items[0]
    if title.kind != "text" or "\n" in title.text or len(title.text) > TITLE_MAX_CHARS:
        raise ContentError(source, "page has no title line")
    builder = _Builder(title=_clean(title.text))
    for index, item in enumerate(items[1:], start=1):
        following = items[index + 1] if index + 1 < len(items) else None
        builder.add(item, following)
    return builder.build(source)


def _strip_chrome(text: str) -> list[str]:
    """The page's lines with site chrome blanked out (kept as blanks so paragraphs stay apart)."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    chrome: set[int] = set()
    for position, i in enumerate(nonblank):
        stripped = lines[i].strip()
        if any(p.search(stripped) for p in CHROME_LINES):
            chrome.add(i)
        # Menu entries come in pairs: "Cardio" then "Cardio articles".
        if position + 1 < len(nonblank):
            j = nonblank[position + 1]
            if lines[j].strip().lower() == f"{stripped} articles".lower():
                chrome.update((i, j))
    return ["" if i in chrome else line for i, line in enumerate(lines)]


def _items(lines: list[str]) -> list[Item]:
    items: list[Item] = []
    in_block = False
    for line in lines:
        if not line.strip():
            in_block = False
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        numbered, bullet = NUMBERED.match(stripped), BULLET.match(stripped)
        if numbered:
            items.append(Item("numbered", numbered.group(2), indent, int(numbered.group(1))))
        elif bullet:
            items.append(Item("bullet", bullet.group(1), indent))
        elif in_block and items and items[-1].kind != "bullet" or _fills_empty_step(items):
            last = items[-1]
            joined = f"{last.text} {stripped}".strip()
            items[-1] = Item(last.kind, joined, last.indent, last.number)
        else:
            items.append(Item("text", stripped, indent))
        in_block = True
    return items


def _fills_empty_step(items: list[Item]) -> bool:
    """'Step 1' on a line of its own is followed by the step's text in the next paragraph."""
    return bool(items) and items[-1].kind == "numbered" and not items[-1].text


def _clean(text: str) -> str:
    return " ".join(text.split())


def _header(item: Item) -> Section | None:
    if item.kind != "text":
        return None
    return SECTION_HEADERS.get(_clean(item.text).rstrip(":").lower())


def _is_exercise_heading(item: Item, following: Item | None) -> bool:
    """A short title line immediately followed by a numbered list is an exercise heading."""
    text = _clean(item.text)
    return (
        item.kind == "text"
        and following is not None
        and following.kind == "numbered"
        and len(text.split()) <= HEADING_MAX_WORDS
        and not text.endswith((".", "!", "?", ":", ","))
    )


class _Builder:
    """Accumulates one page's fields while walking its items in order (local to parse_page)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.section = Section.INTRO
        self.section_indent = 0
        self.intro: list[str] = []
        self.exercises: list[tuple[str, list[str]]] = []
        self.fields: dict[Section, list[str]] = {s: [] for s in Section}

    def add(self, item: Item, following: Item | None) -> None:
        header = _header(item)
        if header is not None:
            self.section, self.section_indent = header, item.indent
        elif _is_exercise_heading(item, following):
            self.exercises.append((_clean(item.text), []))
            self.section = Section.EXERCISE
        elif item.kind == "numbered" and self.section not in (Section.WARNINGS, Section.TIPS):
            self._add_step(item)
        else:
            self._add_text(item)

    def _add_step(self, item: Item) -> None:
        if self.section is not Section.EXERCISE or not self.exercises:
            if not self.exercises:  # steps straight after the intro: a single-exercise page
                self.exercises.append((re.sub(r"^how to\s+", "", self.title, flags=re.I), []))
            self.section = Section.EXERCISE
        self.exercises[-1][1].append(_clean(item.text))

    def _add_text(self, item: Item) -> None:
        text = _clean(item.text)
        section = self.section
        if section in (Section.WARNINGS, Section.TIPS) and self.section_indent and not item.indent:
            section = self._leave_section()  # an unindented paragraph ends an indented section
        if section is Section.EXERCISE:
            if item.indent and self.exercises[-1][1]:  # a wrapped step continued after a blank line
                steps = self.exercises[-1][1]
                steps[-1] = f"{steps[-1]} {text}"
            return  # stray prose between exercises is not part of any field
        if section is Section.INTRO:
            self.intro.append(text)
        elif section is not Section.IGNORED:
            self.fields[section].append(text)

    def _leave_section(self) -> Section:
        self.section = Section.EXERCISE if self.exercises else Section.INTRO
        return self.section

    def build(self, source: str) -> Article:
        if not self.exercises:
            raise ContentError(source, "page has no exercise with numbered steps")
        exercises = tuple(
            Exercise(
                title=title,
                slug=slugify(title),
                steps=tuple(Step(n, text) for n, text in enumerate(steps, start=1)),
            )
            for title, steps in self.exercises
        )
        author = "\n\n".join(self.fields[Section.AUTHOR]) or None
        return Article(
            title=self.title,
            slug=slugify(self.title),
            intro="\n\n".join(self.intro),
            exercises=exercises,
            warnings=tuple(self.fields[Section.WARNINGS]),
            tips=tuple(self.fields[Section.TIPS]),
            things_needed=tuple(self.fields[Section.THINGS]),
            author=author,
            source=source,
        )
