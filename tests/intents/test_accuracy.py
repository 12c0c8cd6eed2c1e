"""Accuracy floors on the evaluation data, so a regression fails (figures: benchmarks/eval_intents.py)."""

from __future__ import annotations

import pytest

from benchmarks.eval_intents import CLINC_SET, evaluate, load_cases
from intents import build_index


@pytest.fixture(scope="module")
def figures(seed_library):
    assert CLINC_SET.exists(), f"evaluation data missing: {CLINC_SET}"
    cases = load_cases()
    own = [c for c in cases if c.source == "own"]
    clinc = [c for c in cases if c.source == "clinc"][::4]  # a deterministic quarter: fast enough
    return evaluate(own + clinc, build_index(seed_library))


def test_in_scope_accuracy_floor(figures):
    assert figures.own_in_scope >= 0.93, figures.errors


def test_near_misses_are_rejected(figures):
    assert figures.own_oos_rejected >= 0.85


def test_out_of_scope_false_accept_ceiling(figures):
    assert figures.clinc_false_accept <= 0.012


def test_clinc_in_scope_floor(figures):
    assert figures.clinc_in_scope >= 0.35
