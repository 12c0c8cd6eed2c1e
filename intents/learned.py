"""A learned reading of the intent: a linear model over words and letter n-grams, trained on
natural turns written by people other than the phrasings' author (intents/turns.tsv).

The phrasings say what each command is; people say it in words no list holds ("go through
the whole thing for me first", "that'll do for me"). The model reads such turns from
examples of how people talk, and the router weighs its verdict against the phrasings found
in the turn (intents/naming.py). Names are never learned: the exercise named is a slot,
found by the router in the loaded library, so the model carries over to any articles.

Training uses scikit-learn once per process; a turn is then read with a few dictionary
look-ups and one small dot product, here, without scikit-learn on the path.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np

from kept import cache_folder

__all__ = ["TURNS_FILE", "IntentModel", "Verdict", "features", "load_model", "read_turns", "train"]

TURNS_FILE: Final = Path(__file__).parent / "turns.tsv"
"""Where derived files are kept between starts (the trained model); safe to delete."""
GUIDED: Final = "zguided"  # a word no one says: "an exercise is in progress", part of what is read
IDLE: Final = "zidle"
ACK_PREFIX: Final = "ack:"  # acknowledgement words, which normalising drops, kept as features
WORD_NGRAMS: Final = (1, 2)
CHAR_NGRAMS: Final = (2, 5)  # letter n-grams inside words carry typos and slips ("nxt", "strech")
REGULARISATION: Final = 1.0
"""LinearSVC's C, chosen by leaving one writer out (python -m benchmarks.eval_learned)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    intent: str
    score: float
    """The winning class's decision value: above 0 the model is for it, against all others."""
    margin: float
    """How far the winner is ahead of the runner-up."""


def features(words: Iterable[str], acknowledgements: Iterable[str], guided: bool) -> str:
    """What the model reads: the turn's words (names and step numbers already slots), the
    acknowledgements heard, and whether an exercise is being guided."""
    context = GUIDED if guided else IDLE
    acks = sorted(ACK_PREFIX + a for a in acknowledgements)
    slotted = (f"<{w.strip('{}')}>" if w.startswith("{") else w for w in words)  # "{step}" -> "<step>"
    return " ".join([context, *acks, *slotted])


def analyse(text: str) -> list[str]:
    """Word uni- and bigrams, and letter n-grams within each word (padded by spaces)."""
    words = text.split()
    grams = []
    for n in range(WORD_NGRAMS[0], WORD_NGRAMS[1] + 1):
        grams += ["w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    for word in words:
        if word.startswith((GUIDED, IDLE, ACK_PREFIX, "<")):
            continue
        padded = f" {word} "
        for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
            grams += [padded[i : i + n] for i in range(max(len(padded) - n + 1, 1))]
    return grams


@dataclass(frozen=True, eq=False, slots=True)
class IntentModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray
    weights: np.ndarray
    """One row per class, one column per feature."""
    bias: np.ndarray

    def judge(self, text: str) -> Verdict:
        """The best intent for `text` (made by features()), with its score and margin."""
        counts = Counter(g for g in analyse(text) if g in self.vocabulary)
        if not counts:
            return Verdict("out_of_scope", 0.0, 0.0)
        columns = np.fromiter((self.vocabulary[g] for g in counts), dtype=np.intp, count=len(counts))
        values = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=float, count=len(counts))
        values *= self.idf[columns]
        values /= np.linalg.norm(values)
        scores = self.weights[:, columns] @ values + self.bias
        first, second = np.argsort(scores)[::-1][:2]
        return Verdict(self.classes[first], float(scores[first]), float(scores[first] - scores[second]))


def train(rows: Iterable[tuple[str, str]], regularisation: float = REGULARISATION) -> IntentModel:
    """Fit the model on (features, intent) rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts, labels = zip(*rows, strict=True)
    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    svm = LinearSVC(C=regularisation, random_state=0).fit(matrix, labels)  # the same model every start
    return IntentModel(
        classes=tuple(str(c) for c in svm.classes_),
        vocabulary={str(g): int(i) for g, i in vectorizer.vocabulary_.items()},
        idf=np.asarray(vectorizer.idf_, dtype=float),
        weights=np.ascontiguousarray(svm.coef_, dtype=float),
        bias=np.asarray(svm.intercept_, dtype=float),
    )


def read_turns(path: Path = TURNS_FILE) -> list[tuple[str, str, str, str]]:
    """(utterance, features, intent, source) rows of the training file."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            utterance, text, intent, source = line.split("\t")
            rows.append((utterance, text, intent, source))
    return rows


@lru_cache(maxsize=2)
def load_model(path: Path = TURNS_FILE, cache_dir: Path | None = None) -> IntentModel:
    """The model trained on the shipped turns, once per process; kept on disk under `cache_dir`
    (default $ASSISTANT_CACHE_DIR, else var/cache) by the hash of the turns and of this file,
    so a new process reads it in milliseconds instead of training for seconds."""
    folder = cache_folder(cache_dir)
    data = path.read_bytes()
    key = hashlib.sha256(data + Path(__file__).read_bytes()).hexdigest()[:16]
    cached = folder / f"intent-model-{key}.npz"
    with contextlib.suppress(OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # absent or damaged
        return _read_model(cached)
    model = train((text, intent) for _, text, intent, _ in read_turns(path))
    with contextlib.suppress(OSError):  # a read-only disk only costs the next start its training
        _write_model(model, cached)
    return model


def _write_model(model: IntentModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    grams = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as stream:
        np.savez(
            stream,
            classes=np.array(model.classes),
            grams=np.array(grams),
            idf=model.idf,
            weights=model.weights,
            bias=model.bias,
        )
    tmp.replace(path)  # atomic: a reader sees the whole file or none


def _read_model(path: Path) -> IntentModel:
    with path.open("rb") as stream, np.load(stream, allow_pickle=False) as saved:
        grams = [str(g) for g in saved["grams"]]
        return IntentModel(
            classes=tuple(str(c) for c in saved["classes"]),
            vocabulary={g: i for i, g in enumerate(grams)},
            idf=saved["idf"],
            weights=np.ascontiguousarray(saved["weights"]),
            bias=saved["bias"],
        )
