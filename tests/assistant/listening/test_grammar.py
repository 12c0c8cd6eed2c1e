"""What the speech recogniser may hear: spoken forms, command phrases, the word graph, JSGF."""

from __future__ import annotations

import itertools
import math
import re
from collections import defaultdict
from pathlib import Path

import pytest

from assistant.listening.grammar import (
    PhraseSet,
    WordGraph,
    command_phrases,
    command_templates,
    exercise_names,
    fill_names,
    jsgf_grammar,
    spoken_form,
    word_graph,
)
from content import Library, load_library
from intents import Context, Intent, Match, build_index, route
from intents.exercises import derive_aliases, spoken_aliases
from intents.words import build_vocabulary

PAGES = Path(__file__).parents[2] / "content" / "pages"
SPOKEN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@pytest.fixture(scope="module")
def phrases(seed_library) -> tuple[str, ...]:
    return command_phrases(build_vocabulary(seed_library))


def accepted(graph: WordGraph) -> dict[str, float]:
    """Every phrase the graph accepts, with its probability (all paths walked; an arc with no
    word says nothing)."""
    leaving = defaultdict(list)
    for arc in graph.arcs:
        leaving[arc.source].append(arc)
    found: dict[str, float] = {}
    stack = [(graph.start, (), 1.0)]
    while stack:
        state, words, probability = stack.pop()
        for arc in leaving[state]:
            said = words if arc.word is None else (*words, arc.word)
            if arc.target == graph.final:
                found[" ".join(said)] = found.get(" ".join(said), 0.0) + probability * arc.probability
            else:
                stack.append((arc.target, said, probability * arc.probability))
    return found


# --- Spoken forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "spoken"),
    [
        ("Next step!", "next step"),
        ("whats next", "what's next"),
        ("What's next?", "what's next"),
        ("lets try {exercise}", "let's try {exercise}"),
        ("go to step 3", "go to step three"),
        ("step 21", "step twenty one"),
        ("Multi-directional leg raises", "multi directional leg raises"),
        ("  how   do I  do {exercise} ", "how do i do {exercise}"),
        ("Café stretch", "cafe stretch"),
        ("'quoted'", "quoted"),
        ("", ""),
    ],
)
def test_spoken_form_keeps_every_word_as_said(typed, spoken):
    assert spoken_form(typed) == spoken


# --- Command phrases ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phrase",
    [
        "next",
        "next step",
        "go back",
        "repeat",
        "stop",
        "start over",
        "step three",
        "third step",
        "last step",
        "go to step four",
        "go to step two of the cobra stretch",
        "start timer",
        "stop the timer",
        "how do i do the cobra stretch",
        "how do i do cobra stretch",
        "show me the multidirectional leg raises",
        "show me the multi directional leg raises",
        "lying hip stretch",
        "leg raises",
        "what's next",
    ],
)
def test_command_phrases_include_what_people_say(phrases, phrase):
    assert phrase in phrases


@pytest.mark.parametrize(
    "phrase",
    [
        "how do i do the cobras",  # a plural nobody says of one exercise
        "show me the lyings",  # a typo the router forgives, never said aloud
        "start lying hip",  # a title cut short: said for "timer" by a high voice
        "start the stretch",  # a kind, not a name: typed, it asks which one
        "multidirectional",
    ],
)
def test_command_phrases_leave_out_names_nobody_says_aloud(phrases, phrase):
    assert phrase not in phrases


def test_spoken_names_are_titles_their_endings_and_short_titles_without_their_kind(seed_library):
    typed = {alias.text for alias in derive_aliases(seed_library)}
    spoken = [alias.text for alias in spoken_aliases(seed_library)]
    assert set(spoken) < typed
    assert {"cobra", "cobra stretch", "hip stretch", "lying hip stretch", "leg raise", "leg raises"} <= set(spoken)
    assert {"multidirectional leg raises", "multi directional leg raises"} <= set(spoken)
    assert not {"lying", "lyings", "cobras", "lying hip", "stretch", "raises", "multidirectional"} & set(spoken)


def test_command_phrases_are_plain_spoken_words_without_slots_or_repeats(phrases):
    assert len(phrases) == len(set(phrases))
    odd = [p for p in phrases if not all(SPOKEN_WORD.fullmatch(w) for w in p.split())]
    assert odd == []
    assert all(p == " ".join(p.split()) and p for p in phrases)


def test_steps_stop_at_max_step(seed_library):
    few = command_phrases(build_vocabulary(seed_library), max_step=2)
    assert {"step two", "second step", "last step"} <= set(few)
    assert not {"step three", "third step", "go to step three"} & set(few)


def test_steps_go_as_far_as_the_longest_exercise(seed_library, phrases):
    longest = max(len(e.steps) for e in seed_library.exercises)
    assert longest == 5
    assert {"step five", "fifth step", "go to step five"} <= set(phrases)
    assert not {"step six", "sixth step", "read step eight"} & set(phrases)


@pytest.mark.parametrize("max_step", [0, -1, 21])
def test_max_step_out_of_range_is_refused(seed_library, max_step):
    with pytest.raises(ValueError, match="max_step"):
        command_phrases(build_vocabulary(seed_library), max_step=max_step)


def test_the_phrasings_of_left_out_intents_are_not_phrases(seed_library, phrases):
    without = command_phrases(build_vocabulary(seed_library), without={Intent.STOP_TIMER})
    assert {"start timer", "start the timer", "stop"} <= set(without)
    assert not {"stop timer", "stop the timer", "cancel timer"} & set(without)
    assert set(without) < set(phrases)


def test_weighted_templates_favour_the_likelier_intents(seed_library):
    vocabulary = build_vocabulary(seed_library)
    weights = command_templates(vocabulary, without={Intent.STOP_TIMER}, likelier={Intent.NEXT_STEP}, boost=100)
    assert set(fill_names(weights, exercise_names(vocabulary))) == set(
        command_phrases(vocabulary, without={Intent.STOP_TIMER})
    )
    assert weights["next step"] == weights["go on"] == 100
    assert weights["overview"] == weights["show me the {exercise}"] == 1
    assert "stop timer" not in weights


def test_templates_keep_the_exercise_slot_with_and_without_the(seed_library):
    templates = command_templates(build_vocabulary(seed_library))
    assert {"how do i do {exercise}", "how do i do the {exercise}"} <= set(templates)
    assert not [t for t in templates if "cobra" in t]


@pytest.mark.parametrize("boost", [0, -1.0])
def test_a_boost_that_is_not_positive_is_refused(seed_library, boost):
    with pytest.raises(ValueError, match="boost"):
        command_templates(build_vocabulary(seed_library), boost=boost)


def test_a_title_with_nothing_to_say_is_not_a_spoken_name(tmp_path):
    page = (PAGES / "kettlebell_moves.txt").read_text(encoding="utf-8")
    (tmp_path / "page.txt").write_text(page.replace("Two-Handed Swing", "Свинг"), encoding="utf-8")
    library = load_library(tmp_path)
    assert "Свинг" in [e.title for e in library.exercises]
    spoken = [alias.text for alias in spoken_aliases(library)]
    assert "goblet squat" in spoken and "" not in spoken
    assert "show me the goblet squat" in command_phrases(build_vocabulary(library))


def test_without_content_no_exercise_is_named():
    phrases = command_phrases(build_vocabulary(Library()))
    assert "next step" in phrases
    assert not [p for p in phrases if "cobra" in p or "how do i do" in p]


def test_same_inputs_give_the_same_phrases_in_the_same_order(seed_library, phrases):
    assert command_phrases(build_vocabulary(seed_library)) == phrases


def test_almost_every_phrase_routes_to_an_intent(seed_library, phrases):
    """The grammar and the router agree: what the recogniser can hear, the router understands.
    (A few alias forms such as "the stretches" are ambiguous or generic on purpose.)"""
    index = build_index(seed_library)
    sample = phrases[::7]
    understood = [p for p in sample if isinstance(route(p, index, Context("cobra-stretch")), Match)]
    assert len(understood) / len(sample) >= 0.9


@pytest.mark.parametrize(
    ("phrase", "intent"),
    [
        ("next step", Intent.NEXT_STEP),
        ("go back", Intent.PREVIOUS_STEP),
        ("third step", Intent.GOTO_STEP),
        ("start the timer", Intent.START_TIMER),
        ("show me the multi directional leg raises", Intent.START_EXERCISE),
    ],
)
def test_spoken_phrases_mean_what_their_phrasing_means(seed_library, phrases, phrase, intent):
    assert phrase in phrases
    outcome = route(phrase, build_index(seed_library), Context("cobra-stretch"))
    assert isinstance(outcome, Match) and outcome.intent is intent


# --- The word graph -------------------------------------------------------------------------

SMALL = ("next", "next step", "go back", "step one", "step two", "go to step one", "go to step two")


def test_word_graph_accepts_exactly_the_phrases_each_equally_likely():
    found = accepted(word_graph(SMALL))
    assert set(found) == set(SMALL)
    assert all(math.isclose(p, 1 / len(SMALL)) for p in found.values())


def test_word_graph_follows_weights():
    found = accepted(word_graph(["next", "stop"], {"next": 3.0}))
    assert found == pytest.approx({"next": 0.75, "stop": 0.25})


def test_word_graph_probabilities_leaving_each_state_add_up_to_one():
    graph = word_graph(SMALL)
    totals: dict[int, float] = defaultdict(float)
    for arc in graph.arcs:
        totals[arc.source] += arc.probability
    assert all(math.isclose(t, 1.0) for t in totals.values())


def test_word_graph_shares_endings_so_it_stays_small(phrases):
    graph = word_graph(phrases)
    words = sum(len(p.split()) for p in phrases)
    assert graph.final < 1000 < words / 10  # states: hundreds, for tens of thousands of words


def test_word_graph_does_not_depend_on_phrase_order():
    assert word_graph(SMALL) == word_graph(reversed(SMALL)) == word_graph([*SMALL, *SMALL])


def test_word_graph_of_nothing_accepts_nothing():
    assert accepted(word_graph([])) == {}


TEMPLATES = ("next step", "show me {exercise}", "show me the {exercise}", "is {exercise} safe", "go back")
NAMES = ("cobra", "cobra stretch", "lying hip stretch")


def test_names_fill_the_slot_as_if_every_phrase_were_spelt_out():
    """The same phrases with the same probabilities as the graph of every filled-in phrase."""
    spelt_out = accepted(word_graph(fill_names(TEMPLATES, NAMES)))
    assert accepted(word_graph(TEMPLATES, names=NAMES)) == pytest.approx(spelt_out)


def test_names_fill_weighted_templates_by_the_template_s_weight():
    found = accepted(word_graph(["next", "show me {exercise}"], {"next": 2.0}, names=["cobra", "bridge"]))
    assert found == pytest.approx({"next": 0.5, "show me cobra": 0.25, "show me bridge": 0.25})


def test_without_names_a_template_with_a_slot_is_left_out():
    assert accepted(word_graph(TEMPLATES)) == pytest.approx({"next step": 0.5, "go back": 0.5})


def test_the_names_are_said_once_for_each_continuation_not_once_per_phrasing(seed_library):
    """Phrasings + names, not phrasings x names: a hundred times the names adds states in
    proportion to the names alone, whatever the number of phrasings that name an exercise."""
    vocabulary = build_vocabulary(seed_library)
    templates = command_templates(vocabulary)
    few = exercise_names(vocabulary)
    many = tuple(f"{name} {n}" for name in few for n in ("one", "two", "three", "four", "five"))
    small, large = word_graph(templates, names=few), word_graph(templates, names=many)
    with_slot = sum(1 for t in templates if "{exercise}" in t)
    continuations = len({t.partition("{exercise}")[2] for t in templates if "{exercise}" in t})
    assert with_slot > 10 * continuations
    assert len(large.arcs) - len(small.arcs) < continuations * 2 * len(many)
    assert len(large.arcs) < with_slot * len(many) / 4


def test_a_phrase_set_holds_the_templates_with_names_in_their_slots():
    hearable = PhraseSet.of(TEMPLATES, NAMES)
    assert set(fill_names(TEMPLATES, NAMES)) == {p for p in fill_names(TEMPLATES, NAMES) if p in hearable}
    assert "is  cobra stretch   safe" in hearable
    for phrase in ("show me", "show me the", "is safe", "show me cobra safe", "cobra", "next", "", None, 3):
        assert phrase not in hearable


# --- JSGF -----------------------------------------------------------------------------------


def test_jsgf_names_its_grammar_and_one_public_rule():
    text = jsgf_grammar(SMALL)
    assert text.startswith("#JSGF V1.0;\ngrammar commands;\npublic <command> = ")
    assert text.count("public") == 1


def test_jsgf_of_nothing_is_still_valid():
    assert "public <command> = <VOID>;" in jsgf_grammar([])


@pytest.mark.parametrize("count", [len(SMALL), 400])
def test_jsgf_accepts_exactly_the_phrases_in_pocketsphinx(phrases, count):
    pocketsphinx = pytest.importorskip("pocketsphinx")
    chosen = SMALL if count == len(SMALL) else phrases[::20][:count]
    fsg = pocketsphinx.Decoder(lm=None, loglevel="FATAL").parse_jsgf(jsgf_grammar(chosen))
    assert all(fsg.accept(p) for p in chosen)
    near_misses = {" ".join(w) for p in chosen for w in itertools.pairwise(p.split())} - set(chosen)
    near_misses |= {f"{p} please please" for p in chosen[:20]}
    assert not [p for p in near_misses if fsg.accept(p)]
