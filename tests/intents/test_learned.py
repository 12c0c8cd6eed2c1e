"""The learned reading of intents: what it reads, what it was trained on, and how the router weighs it."""

from __future__ import annotations

import pytest

from benchmarks.make_turns import contents, held_out
from intents import Context, Intent, Match, NoMatch, build_index, normalize, route
from intents.learned import TURNS_FILE, features, load_model, read_turns, train


@pytest.fixture(scope="module")
def rules(seed_library):
    return build_index(seed_library, learned=False)


def test_no_turn_of_a_held_out_test_half_is_trained_on():
    trained = {normalize(utterance) for utterance, *_ in read_turns()}
    leaked = trained & held_out()
    assert not leaked, sorted(leaked)[:5]


def test_the_training_file_is_what_make_turns_writes_today():
    # a phrasing, a writer's file or the slotting changed: run `python -m benchmarks.make_turns`
    assert TURNS_FILE.read_text(encoding="utf-8") == contents()


def test_every_trained_intent_is_one_the_router_knows():
    assert {intent for *_, intent, _ in read_turns()} <= {i.value for i in Intent}


def test_features_put_names_and_steps_in_slots_beside_the_context():
    assert features(["how", "do", "i", "do", "{exercise}"], [], guided=False) == "zidle how do i do <exercise>"
    assert features(["go", "to", "step", "{step}"], ["ok"], guided=True) == "zguided ack:ok go to step <step>"


def test_the_reading_agrees_with_scikit_learns_own_decision_function():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from intents.learned import REGULARISATION, analyse

    rows = [(text, intent) for _, text, intent, _ in read_turns()]
    texts, labels = zip(*rows, strict=True)
    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
    svm = LinearSVC(C=REGULARISATION, random_state=0).fit(vectorizer.fit_transform(texts), labels)
    model = load_model()
    probes = [*texts[::97], "zguided ok nxt one pls", "zidle totally unheard of words here"]
    expected = svm.decision_function(vectorizer.transform(probes))
    for text, scores in zip(probes, expected, strict=True):
        verdict = model.judge(text)
        assert verdict.intent == svm.classes_[scores.argmax()], text
        assert verdict.score == pytest.approx(scores.max(), abs=1e-6), text


def test_a_turn_of_nothing_it_has_read_is_out_of_scope():
    model = train([("zguided next", "next_step"), ("zguided back", "previous_step"), ("zidle rain", "out_of_scope")])
    assert model.judge("").intent == "out_of_scope"
    assert model.judge("zguided next").intent == "next_step"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("right, that bit's finished, what comes after it", Intent.NEXT_STEP),
        ("sorry the kettle was going, say that one again", Intent.REPEAT_STEP),
        ("i've had enough for one day, let's call it quits", Intent.STOP),
        ("give me a minute to find my mat", Intent.PAUSE),
    ],
)
def test_people_are_understood_in_words_no_phrasing_holds(index, text, intent):
    outcome = route(text, index, Context(current_exercise="cobra-stretch"))
    assert isinstance(outcome, Match) and outcome.intent is intent, outcome


def test_a_learned_start_needs_a_name_from_the_library(index):
    outcome = route("how do i do that other one you mentioned", index)
    assert not (isinstance(outcome, Match) and outcome.intent is Intent.START_EXERCISE), outcome


@pytest.mark.parametrize(
    "text", ["skip to the next track on my playlist", "what's the forecast for the weekend", "remind me to call mum"]
)
def test_what_the_model_reads_as_something_else_stays_out(index, text):
    assert isinstance(route(text, index, Context(current_exercise="cobra-stretch")), NoMatch)


def test_without_the_model_the_phrasings_still_route(rules):
    outcome = route("next step", rules, Context(current_exercise="cobra-stretch"))
    assert isinstance(outcome, Match) and outcome.intent is Intent.NEXT_STEP


def test_the_model_kept_on_disk_judges_exactly_as_the_one_trained(tmp_path):
    from intents.learned import TURNS_FILE, load_model

    trained = load_model(TURNS_FILE, tmp_path)  # trains, and keeps it
    assert len(list(tmp_path.glob("intent-model-*.npz"))) == 1
    load_model.cache_clear()
    read = load_model(TURNS_FILE, tmp_path)
    assert read is not trained
    for text in ("next step please", "my knee hurts", "what's the weather", "<guided> ok done that one"):
        assert read.judge(text) == trained.judge(text)


def test_a_damaged_model_file_is_trained_again(tmp_path):
    from intents.learned import TURNS_FILE, load_model

    load_model.cache_clear()
    load_model(TURNS_FILE, tmp_path)
    (kept,) = tmp_path.glob("intent-model-*.npz")
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short, as by a full disk
    load_model.cache_clear()
    assert load_model(TURNS_FILE, tmp_path).judge("next step").intent == "next_step"
