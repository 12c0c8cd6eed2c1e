"""Specification: every page in tests/content/pages parses exactly as EXPECTED says, and every
page in tests/content/broken is rejected with a ContentError.

The expected values (and the rules they follow) live in expected_pages.py next to this file.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from content.errors import ContentError
from content.model import Article
from content.parser import parse_page
from tests.content.expected_pages import EXPECTED

HERE = Path(__file__).resolve().parent
PAGES_DIR = HERE / "pages"
BROKEN_DIR = HERE / "broken"

PAGE_NAMES = sorted(EXPECTED)
BROKEN_NAMES = sorted(p.name for p in BROKEN_DIR.glob("*.txt"))
BROKEN_REQUIRED = {"empty.txt", "whitespace_only.txt", "chrome_only.txt", "no_steps.txt"}

CHROME = (
    "Your #1 source",
    "Created with Sketch",
    "Cite this Article",
    "A tool to create a citation",
    "promobar",
    "Cardio articles",
    "Sports articles",
    "Exercise articles",
    "Stretching articles",
    "Equipment articles",
    "Yoga articles",
)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _parsed(name: str) -> Article:
    return parse_page(_read(PAGES_DIR / name), source=name)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _all_strings(fields: dict) -> list[str]:
    strings = [fields["title"], *fields["intro"].split("\n\n"), fields["author"] or ""]
    strings += [*fields["warnings"], *fields["tips"], *fields["things_needed"]]
    for exercise in fields["exercises"]:
        strings += [exercise["title"], *exercise["steps"]]
    return strings


def _fields_of(article: Article) -> dict:
    return {
        "title": article.title,
        "intro": article.intro,
        "exercises": [{"title": e.title, "steps": [s.text for s in e.steps]} for e in article.exercises],
        "warnings": list(article.warnings),
        "tips": list(article.tips),
        "things_needed": list(article.things_needed),
        "author": article.author,
    }


# --- the inventory: pages and expectations match one to one -----------------------------------


def test_every_expected_page_exists():
    missing = [name for name in EXPECTED if not (PAGES_DIR / name).is_file()]
    assert missing == []


def test_every_page_has_an_expectation():
    pages = sorted(p.name for p in PAGES_DIR.glob("*.txt"))
    assert len(pages) >= 5
    assert [name for name in pages if name not in EXPECTED] == []


def test_the_required_broken_pages_exist_and_are_described():
    assert BROKEN_REQUIRED <= set(BROKEN_NAMES)
    readme = _read(BROKEN_DIR / "README.md")
    assert [name for name in BROKEN_NAMES if name not in readme] == []


# --- the spec checks itself: expected text really is the page's text, normalised --------------


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_expected_text_is_verbatim_and_normalised(name):
    expected = EXPECTED[name]
    page = _normalise(_read(PAGES_DIR / name))
    for text in _all_strings(expected):
        assert text == _normalise(text)
        assert text in page
    for exercise in expected["exercises"]:
        assert exercise["steps"], "every expected exercise has steps"


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_expected_text_has_no_chrome(name):
    for text in _all_strings(EXPECTED[name]):
        for chrome in CHROME:
            assert chrome not in text


# --- the parser meets the spec, field by field --------------------------------------------------


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_title(name):
    assert _parsed(name).title == EXPECTED[name]["title"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_intro(name):
    assert _parsed(name).intro == EXPECTED[name]["intro"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_exercise_titles(name):
    got = [e.title for e in _parsed(name).exercises]
    assert got == [e["title"] for e in EXPECTED[name]["exercises"]]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_step_texts(name):
    got = [[s.text for s in e.steps] for e in _parsed(name).exercises]
    assert got == [e["steps"] for e in EXPECTED[name]["exercises"]]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_step_numbers_count_from_one(name):
    for exercise in _parsed(name).exercises:
        assert [s.number for s in exercise.steps] == list(range(1, len(exercise.steps) + 1))


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_warnings(name):
    assert list(_parsed(name).warnings) == EXPECTED[name]["warnings"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_tips(name):
    assert list(_parsed(name).tips) == EXPECTED[name]["tips"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_things_needed(name):
    assert list(_parsed(name).things_needed) == EXPECTED[name]["things_needed"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_author(name):
    assert _parsed(name).author == EXPECTED[name]["author"]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_whole_page(name):
    """All fields at once: one readable diff when several fields are off."""
    assert _fields_of(_parsed(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_no_chrome_in_any_parsed_field(name):
    for text in _all_strings(_fields_of(_parsed(name))):
        for chrome in CHROME:
            assert chrome not in text


def test_same_exercise_title_in_two_pages_stays_two_exercises():
    """'Cobra Stretch' is in two pages with different steps; neither swallows the other."""
    pages = [name for name in PAGE_NAMES if any(e["title"] == "Cobra Stretch" for e in EXPECTED[name]["exercises"])]
    assert len(pages) >= 2
    cobras = [e for name in pages for e in _parsed(name).exercises if e.title == "Cobra Stretch"]
    assert len(cobras) == len(pages)
    assert len({tuple(s.text for s in e.steps) for e in cobras}) == len(pages)


# --- broken pages are rejected -----------------------------------------------------------------


@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_broken_page_is_rejected(name):
    with pytest.raises(ContentError) as caught:
        parse_page(_read(BROKEN_DIR / name), source=name)
    assert caught.value.source == name
    assert isinstance(caught.value.reason, str)
    assert caught.value.reason.strip()
