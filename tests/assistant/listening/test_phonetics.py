"""Pronouncing the words we listen for, and the accents they are said in. Pure."""

from __future__ import annotations

import pytest

from assistant.listening.phonetics import accent_variants, pronounce

# --- Pronunciations (pure) ------------------------------------------------------------------

DICTIONARY = {
    "multi": "M AH L T IY",
    "directional": "D ER EH K SH AH N AH L",
    "leg": "L EH G",
    "lying": "L AY IH NG",
    "stretch": "S T R EH CH",
    "hip": "HH IH P",
}


@pytest.mark.parametrize(
    ("word", "phones"),
    [
        ("leg", "L EH G"),
        ("multidirectional", "M AH L T IY D ER EH K SH AH N AH L"),
        ("multidirectionals", "M AH L T IY D ER EH K SH AH N AH L Z"),
        ("lyings", "L AY IH NG Z"),
        ("hips", "HH IH P S"),
        ("stretchs", "S T R EH CH IH Z"),
        ("legstretch", "L EH G S T R EH CH"),
        ("qzxv", None),
        ("thx", None),
        ("s", None),
    ],
)
def test_unknown_words_are_pronounced_from_known_parts(word, phones):
    assert pronounce(word, DICTIONARY.get) == phones


@pytest.mark.parametrize(
    ("word", "phones", "variants"),
    [
        ("start", "S T AA R T", ("S T AA T",)),
        ("timer", "T AY M ER", ("T AY M AH",)),
        ("four", "F AO R", ("F AO",)),
        ("here", "HH IY R", ("HH IY AH",)),
        ("stop", "S T AA P", ("S T AO P",)),
        ("last", "L AE S T", ("L AA S T",)),
        ("repeat", "R IH P IY T", ()),
        ("directional", "D ER EH K SH AH N AH L", ()),
        ("back", "B AE K", ("B AA K",)),
        ("thanks", "TH AE NG K S", ("TH AA NG K S",)),
        ("after", "AE F T ER", ("AE F T AH", "AA F T AH")),
    ],
)
def test_british_variants_drop_r_and_use_british_vowels(word, phones, variants):
    assert accent_variants(word, phones) == variants
