"""The seed page parses exactly as issue 'Foundation' specifies, with no site chrome anywhere."""

from __future__ import annotations

import pytest

from content import parse_page
from tests.conftest import SEED

CHROME = (
    "Your #1 source",
    "Cardio",
    "Sports articles",
    "Created with Sketch",
    "Cite this Article",
    "promobar",
)


@pytest.fixture(scope="module")
def article():
    return parse_page(SEED.read_text(encoding="utf-8"), source=SEED.name)


def test_title_and_slug(article):
    assert article.title == "How to Treat Imbalance in Hip Flexor Muscles"
    assert article.slug == "how-to-treat-imbalance-in-hip-flexor-muscles"
    assert article.source == SEED.name


def test_intro_is_the_iliopsoas_paragraph(article):
    assert article.intro.startswith("The job of the hip flexor, or iliopsoas muscle,")
    assert article.intro.endswith("according to the University of Toronto's Faculty of Medicine.")
    assert "\n" not in article.intro


def test_exercises_and_step_counts(article):
    assert [(e.title, len(e.steps)) for e in article.exercises] == [
        ("Lying Hip Stretch", 4),
        ("Cobra Stretch", 4),
        ("Multidirectional Leg Raises", 5),
    ]
    assert [e.slug for e in article.exercises] == [
        "lying-hip-stretch",
        "cobra-stretch",
        "multidirectional-leg-raises",
    ]


def test_steps_are_verbatim_and_numbered(article):
    cobra = article.exercises[1]
    assert [s.number for s in cobra.steps] == [1, 2, 3, 4]
    assert cobra.steps[0].text == "Lie on your stomach with legs stretched out behind you."
    assert cobra.steps[1].text == (
        "Place your hands palm down on the floor at chest level and raise your upper body off "
        "the floor. Do not allow your hips to come off the floor."
    )
    assert article.exercises[2].steps[4].text == ("Repeat sequence ten times and then reverse with the other leg.")


def test_one_warning(article):
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("You should not feel any pain")
    assert article.warnings[0].endswith("before beginning any exercise programs.")


def test_things_needed_and_author(article):
    assert article.things_needed == ("Table", "Chair")
    assert article.tips == ()
    assert article.author is not None
    assert article.author.startswith("Lisa Atkinson has been writing health and fitness articles")
    assert article.author.endswith("health and fitness coach.")


def test_no_chrome_leaks_into_any_field(article):
    fields = [article.title, article.intro, article.author or "", *article.warnings]
    fields += [*article.things_needed, *article.tips]
    fields += [e.title for e in article.exercises]
    fields += [s.text for e in article.exercises for s in e.steps]
    for text in fields:
        for chrome in CHROME:
            assert chrome not in text
