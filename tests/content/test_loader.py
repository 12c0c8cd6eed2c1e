"""The loader serves every good page of a folder and skips each bad one with one warning."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from content import ContentError, build_library, load_library, parse_page, read_page
from tests.conftest import SEED

BAD_FILES = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n   \n",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    "latin1.txt": "Cobra Stretch\n\n  1. Lie down \u2014 caf\xe9\n".encode("latin-1", "replace") + b"\xe9\xff",
    "chrome-only.txt": b"Your #1 source for all things sports!\n\nShape Created with Sketch.\n",
    "no-steps.txt": b"How to Rest\n\nResting is good for you.\n\nLie Down\n\nJust lie down.\n",
    "starts-with-step.txt": b"  1. Lie down.\n\n  2. Get up.\n",
}


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    for name, data in BAD_FILES.items():
        (folder / name).write_bytes(data)
    (folder / "notes.md").write_text("not a page: ignored by suffix")
    return folder


def test_good_pages_load_and_bad_ones_are_skipped(content_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="content.loader"):
        library = load_library(content_dir)
    assert [a.title for a in library.articles] == ["How to Treat Imbalance in Hip Flexor Muscles"]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == len(BAD_FILES)
    for name in BAD_FILES:
        assert sum(name in message for message in skipped) == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty"),
        ("blank.txt", "empty"),
        ("binary.txt", "binary"),
        ("latin1.txt", "UTF-8"),
        ("chrome-only.txt", "empty"),
        ("no-steps.txt", "no exercise"),
        ("starts-with-step.txt", "no title"),
    ],
)
def test_each_bad_page_is_rejected_with_its_reason(content_dir, name, reason):
    with pytest.raises(ContentError) as caught:
        read_page(content_dir / name)
    assert caught.value.source == name
    assert reason in caught.value.reason


def test_missing_folder_gives_an_empty_library(tmp_path):
    assert load_library(tmp_path / "nowhere").articles == ()


def test_huge_file_is_skipped(tmp_path):
    (tmp_path / "huge.txt").write_bytes(b"Title\n\n" + b"x" * 2_000_000)
    with pytest.raises(ContentError, match="too large"):
        read_page(tmp_path / "huge.txt")


def test_same_exercise_title_in_two_articles_keeps_distinct_slugs():
    seed = parse_page(SEED.read_text(encoding="utf-8"), source="a.txt")
    other = parse_page(
        "Stretches for Runners\n\nA short routine.\n\nCobra Stretch\n\n  1. Lie face down.\n",
        source="b.txt",
    )
    library = build_library([seed, other])
    slugs = [e.slug for e in library.exercises]
    assert len(slugs) == len(set(slugs)) == 4
    assert "cobra-stretch" in slugs
    assert "stretches-for-runners-cobra-stretch" in slugs
    assert library.article_of("stretches-for-runners-cobra-stretch").title == "Stretches for Runners"


def test_parse_page_rejects_non_text():
    with pytest.raises(ContentError, match="not text"):
        parse_page(b"bytes", source="x")  # type: ignore[arg-type]
