"""Write intents/turns.tsv, what the learned intent model is trained on, from the tuning data.

    python -m benchmarks.make_turns

Sources, all for tuning, none held out:
- the phrasings (intents/phrasings.toml);
- benchmarks/data/natural_turns_tuning.tsv and training_turns_*.tsv: natural turns by writers
  who never saw the phrasings, each a different style;
- the dev halves of natural_turns.tsv, library_turns.tsv and intents_eval.tsv;
- the dev half of CLINC150 (../shared/data, CC BY 3.0): its four mapped intents and a fixed
  sample of its out-of-scope queries.
Any turn that reads the same as a turn of a held-out test half is left out, so the test
figures stay honest. Names are slotted with the library each set was written for.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from content import load_library
from intents import build_index, load_phrasings, normalize
from intents.learned import TURNS_FILE, read_turns
from intents.naming import model_features
from intents.vocabulary import GUIDANCE_INTENTS

from .eval_intents import _half, load_cases
from .eval_natural import LIBRARY_SET, NATURAL_SET, OVERLAP_LIBRARY, TUNING_SET, load_library_turns, load_natural

HERE = Path(__file__).parent
WRITERS = sorted((HERE / "data").glob("training_turns_*.tsv"))
OUT_OF_SCOPE_SAMPLE = 3000  # enough for the model to know "other things", few enough to train in a second
HEADER = """\
# What intents/learned.py trains on: utterance, what the model reads (names and steps as slots),
# intent, source. Written by `python -m benchmarks.make_turns`; do not edit by hand.
# Sources: the phrasings; natural turns written blind to them (benchmarks/data); the dev halves
# of the evaluation sets; CLINC150 (Larson et al. 2019, clinc/oos-eval, CC BY 3.0, (c) Clinc, Inc.):
# its queries mapped to our intents and a sample of its out-of-scope ones, from its dev half.
# No turn of a held-out test half is here (tests/intents/test_learned.py checks).
"""


def held_out() -> frozenset[str]:
    """Every test-half utterance, normalised: none may be trained on."""
    texts = [t.text for t in load_natural(NATURAL_SET)] + [t.text for t in load_library_turns(LIBRARY_SET)]
    texts += [c.text for c in load_cases()]
    return frozenset(normalize(t) for t in texts if _half(t) == "test")


Turn = tuple[str, str, str | None, str]
"""(utterance, intent, context slug or None, source)"""


def rows() -> list[tuple[str, str, str, str]]:
    """(utterance, what the model reads, intent, source) for every training turn."""
    seed = build_index(load_library(), learned=False)
    overlap = build_index(load_library(OVERLAP_LIBRARY), learned=False)
    found = [(text, intent, context, seed, source) for text, intent, context, source in _seed_turns()]
    found += [(text, intent, context, overlap, source) for text, intent, context, source in _library_turns()]
    return [
        (text, model_features(text, index, guided=context is not None), intent, source)
        for text, intent, context, index, source in found
    ]


def _seed_turns() -> Iterator[Turn]:
    """Turns written for the seed article: phrasings, blind writers, dev halves, CLINC150."""
    for intent, examples in load_phrasings().items():
        context = "guided" if intent in GUIDANCE_INTENTS else None
        yield from ((text, intent.value, context, "phrasings") for text in examples)
    for path in (TUNING_SET, *WRITERS):
        yield from ((t.text, t.intent, t.context, path.stem) for t in load_natural(path))
    for turn in load_natural(NATURAL_SET):
        if _half(turn.text) == "dev":
            yield turn.text, turn.intent, turn.context, "natural_turns dev"
    cases = [c for c in load_cases() if _half(c.text) == "dev"]
    yield from ((c.text, c.intent, c.context, "intents_eval dev") for c in cases if c.source == "own")
    clinc = [c for c in cases if c.source == "clinc"]
    out = sorted(
        (c for c in clinc if c.intent == "out_of_scope"), key=lambda c: hashlib.sha256(c.text.encode()).digest()
    )
    for case in [c for c in clinc if c.intent != "out_of_scope"] + out[:OUT_OF_SCOPE_SAMPLE]:
        yield case.text, case.intent, None, "clinc150 dev"


def _library_turns() -> Iterator[Turn]:
    """The dev half of the turns written for the overlapping library."""
    for turn in load_library_turns(LIBRARY_SET):
        if _half(turn.text) == "dev":
            yield turn.text, turn.intent, turn.context, "library_turns dev"


def contents() -> str:
    """The training file as make_turns writes it: held-out turns and repeats left out."""
    excluded = held_out()
    kept, seen = [], set()
    for text, features, intent, source in rows():
        key = (normalize(text), features, intent)
        if normalize(text) in excluded or key in seen or "\t" in text:
            continue
        seen.add(key)
        kept.append("\t".join((" ".join(text.split()), features, intent, source)))
    return HEADER + "\n".join(kept) + "\n"


def main() -> None:
    text = contents()
    TURNS_FILE.write_text(text, encoding="utf-8")
    by_intent = Counter(intent for _, _, intent, _ in read_turns())
    counts = ", ".join(f"{i} {n}" for i, n in by_intent.most_common())
    print(f"wrote {sum(by_intent.values())} turns to {TURNS_FILE}: {counts}")


if __name__ == "__main__":
    main()
