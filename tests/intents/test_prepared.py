"""The prepared library is kept on disk by its content's hash: read back the same, rebuilt when anything changes."""

from __future__ import annotations

import shutil

from content import DEFAULT_CONTENT_DIR
from intents import Context, Thresholds, route
from intents.prepared import prepare


def test_a_kept_library_routes_exactly_as_a_built_one(tmp_path):
    built = prepare(DEFAULT_CONTENT_DIR, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("prepared-*.pickle"))) == 1
    read = prepare(DEFAULT_CONTENT_DIR, cache_dir=tmp_path)
    assert read is not built and read.library == built.library
    guided = Context("cobra-stretch")
    for said in ("how do i do the copra stretch", "next step", "my knee hurts", "play some music"):
        assert route(said, read.index, guided) == route(said, built.index, guided)


def test_an_edited_article_builds_afresh(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    before = prepare(content, cache_dir=tmp_path / "cache")
    page = next(content.glob("*.txt"))
    page.write_text(page.read_text(encoding="utf-8").replace("Cobra Stretch", "Cobra Pose"), encoding="utf-8")
    after = prepare(content, cache_dir=tmp_path / "cache")
    assert "Cobra Pose" in [e.title for e in after.library.exercises]
    assert "Cobra Pose" not in [e.title for e in before.library.exercises]


def test_a_damaged_file_is_rebuilt_and_settings_apply_without_a_rebuild(tmp_path):
    prepare(DEFAULT_CONTENT_DIR, cache_dir=tmp_path)
    (kept,) = tmp_path.glob("prepared-*.pickle")
    kept.write_bytes(kept.read_bytes()[:100])
    strict = prepare(DEFAULT_CONTENT_DIR, Thresholds(accept=99.0), cache_dir=tmp_path)
    assert strict.index.thresholds.accept == 99.0 and strict.library.exercises
