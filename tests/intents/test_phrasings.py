"""The phrasings data file: valid, complete, and unambiguous."""

from __future__ import annotations

from collections import defaultdict

import pytest

from errors import AssistantError
from intents import Intent, load_phrasings, normalize
from intents.vocabulary import phrasings_from_dict


def test_every_intent_but_out_of_scope_has_phrasings():
    assert set(load_phrasings()) == set(Intent) - {Intent.OUT_OF_SCOPE}


def test_no_phrasing_belongs_to_two_intents():
    owners = defaultdict(set)
    for intent, examples in load_phrasings().items():
        for example in examples:
            owners[normalize(example)].add(intent)
    assert {p: o for p, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize(
    "data",
    [{"no_such_intent": {"examples": ["hi"]}}, {"greeting": {"examples": []}}, {"greeting": "hi"}],
)
def test_bad_phrasings_data_is_rejected(data):
    with pytest.raises(AssistantError):
        phrasings_from_dict(data)
