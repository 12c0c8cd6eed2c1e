"""The words the router knows: spelling and sound-alike fixes, and how much each word tells."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Final

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .english import is_english

__all__ = ["Lexicon"]

TYPO_SIMILARITY: Final = 0.8  # one edit in five letters ("strech"); "song" vs "long" (0.75) is not a typo
MIN_FIXABLE_CHARS: Final = 4  # shorter words are too easily one edit from another word
MIN_SOUND_KEY_CHARS: Final = 2  # one-letter metaphone keys collide across unrelated words
MAX_SOUND_LENGTH_GAP: Final = 3  # a sound-alike is about as long: "xxxxxxxx" is not "thx"
FUNCTION_WORD_WEIGHT: Final = 0.5  # below the least informative content word (idf >= 1)


class Lexicon:
    """Known words with inverse document frequency over the phrasings (rare words weigh more)."""

    def __init__(
        self,
        documents: Iterable[Iterable[str]],
        extra: Iterable[str] = (),
        *,
        light: Iterable[str] = (),
    ) -> None:
        docs = [set(d) for d in documents]
        frequency = Counter(w for d in docs for w in d)
        self.vocabulary: frozenset[str] = frozenset(frequency) | frozenset(extra)
        count = max(len(docs), 1)
        self.idf = {w: math.log((count + 1) / (frequency.get(w, 0) + 1)) + 1 for w in self.vocabulary}
        for word in light:  # function words say little about what is asked, however rare
            self.idf[word] = FUNCTION_WORD_WEIGHT
        self.unknown_weight = math.log(count + 1) + 1
        """Words we never saw weigh as much as the rarest: they are what the sentence is about."""
        self._by_sound: dict[str, str] = {}
        light_words = frozenset(light)
        # A sound-alike is never taken for a function word: "won" is not "when", "night" not "need".
        for word in sorted(self.vocabulary - light_words, key=lambda w: (-frequency.get(w, 0), w)):
            key = jellyfish.metaphone(word) if word.isalpha() else ""
            if len(key) >= MIN_SOUND_KEY_CHARS and len(word) >= 3:
                self._by_sound.setdefault(key, word)
        self._choices = sorted(w for w in self.vocabulary if len(w) >= MIN_FIXABLE_CHARS)
        self._cache: dict[str, str] = {}

    def canonical(self, word: str) -> str:
        """The known word meant by `word` (itself if known, unfixable, or a real English word:
        "phone", "bill" and "flight" are what a sentence is about, not typos of "faint", "belly", "felt")."""
        if word in self.vocabulary or not word.isalpha() or is_english(word):
            return word
        if word not in self._cache:
            self._cache[word] = self._fix(word)
        return self._cache[word]

    def _fix(self, word: str) -> str:
        if len(word) >= MIN_FIXABLE_CHARS:
            close = process.extractOne(
                word,
                self._choices,
                scorer=OSA.normalized_similarity,
                processor=None,
                score_cutoff=TYPO_SIMILARITY,
            )
            if close is not None:
                return close[0]
            swapped = next(  # "netx": two letters swapped is one slip, even in a short word
                (w for w in self._choices if sorted(w) == sorted(word) and OSA.distance(w, word) == 1),
                None,
            )
            if swapped:
                return swapped
        key = jellyfish.metaphone(word)
        if len(word) >= 3 and len(key) >= MIN_SOUND_KEY_CHARS:
            alike = self._by_sound.get(key, word)
            return alike if abs(len(alike) - len(word)) <= MAX_SOUND_LENGTH_GAP else word
        return word

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unknown_weight)

    def known(self, word: str) -> bool:
        return word in self.vocabulary or word.isdigit() or word.startswith("{")
