"""Exercises described instead of named: "the one on the bed" is the Lying Hip Stretch."""

from __future__ import annotations

import pytest

from content import load_library
from intents import Ambiguous, Context, Intent, Match, build_index, route
from intents.descriptions import build_description_index

COBRA = "cobra-stretch"
HIP = "lying-hip-stretch"
LEGS = "multidirectional-leg-raises"


@pytest.fixture(scope="module")
def overlap_library():
    from benchmarks.eval_natural import OVERLAP_LIBRARY

    return load_library(OVERLAP_LIBRARY)


@pytest.fixture(scope="module")
def overlap(overlap_library):
    return build_index(overlap_library)


@pytest.mark.parametrize(
    ("said", "exercise"),
    [
        ("the one on the bed", HIP),
        ("the standing one with the chair", LEGS),
        ("ok the one with the chair please", LEGS),
        ("the one where you lie on your tummy", COBRA),
        ("the one where you're lying on your stomach", COBRA),
        ("the one you do on the bed", HIP),
    ],
)
def test_a_description_only_one_exercise_fits_starts_it(index, said, exercise):
    outcome = route(said, index)
    assert isinstance(outcome, Match), outcome
    assert (outcome.intent, outcome.exercise) == (Intent.START_EXERCISE, exercise)


def test_words_of_a_title_choose_among_the_exercises_named_with_them(overlap):
    outcome = route("the hip one", overlap)
    assert isinstance(outcome, Ambiguous), outcome
    assert set(outcome.candidates) == {"hip-flexor-lunge", "lying-hip-stretch"}


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("the next one", Intent.NEXT_STEP),  # a place in the sequence, not a description
        ("do this one again", Intent.REPEAT_STEP),
        ("this one hurts", Intent.PAIN),
    ],
)
def test_sequence_words_and_commands_are_not_descriptions(index, said, intent):
    outcome = route(said, index, Context(COBRA))
    assert isinstance(outcome, Match) and outcome.intent is intent, outcome


@pytest.mark.parametrize("said", ["the hard one", "which one is easier", "the one my physio showed me"])
def test_words_no_exercise_says_start_nothing(index, said):
    outcome = route(said, index)
    assert not (isinstance(outcome, Match) and outcome.intent is Intent.START_EXERCISE), outcome


def test_describing_the_exercise_in_progress_does_not_restart_it(index):
    outcome = route("ok the one on my stomach", index, Context(COBRA))
    assert not (isinstance(outcome, Match) and outcome.intent is Intent.START_EXERCISE), outcome


def test_every_describing_word_must_be_in_the_same_exercise(seed_library):
    descriptions = build_description_index(seed_library)
    ignorable = frozenset({"the", "with"})
    assert descriptions.candidates(["bed", "one"], ignorable=ignorable) == (HIP,)
    assert descriptions.candidates(["bed", "chair", "one"], ignorable=ignorable) == ()
    assert descriptions.candidates(["bed"], ignorable=ignorable) == ()  # no "one": not a description
    assert descriptions.candidates(["hip", "one"], ignorable=ignorable) == (HIP,)  # named for the hip


def test_in_a_library_of_overlapping_articles_a_description_several_fit_asks_among_them(overlap, overlap_library):
    outcome = route("the standing one with the chair", overlap)
    assert isinstance(outcome, Ambiguous), outcome
    steps = {e.slug: " ".join(s.text.lower() for s in e.steps) for e in overlap_library.exercises}
    assert len(outcome.candidates) > 1
    assert all("chair" in steps[slug] and "stand" in steps[slug] for slug in outcome.candidates)
