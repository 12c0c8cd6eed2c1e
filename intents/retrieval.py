"""Questions about an article answered with its own sentences: which sentences a question is about.

"what is the iliopsoas", "what causes hip flexor pain": the question's content words are
looked up in the sentences of each article (intro, warnings, tips), weighted by how rare
they are. A sentence answers when it holds most of that weight; below the floor the honest
reply is that the article does not say. Nothing is generated: the answer is the sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Final

from content import Library

from .normalize import normalize

__all__ = ["Passage", "SentenceIndex", "build_sentence_index", "stem"]

ANSWER_FLOOR: Final = 0.6  # share of the question's word weight a sentence must hold to answer it
NEAR_BEST: Final = 0.15  # sentences this close to the best answer are read with it
MAX_SENTENCES: Final = 2  # an answer read aloud stays short
SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
# Words a question is made of, which say nothing about its subject.
QUESTION_WORDS: Final = frozenset(
    "what why how who when where which whose is are was were do does did can could should would "
    "will tell me about explain describe mean means meaning say says said article i my you your "
    "it its this that these those the a an of to in on for and or with be been being there here "
    "any some so please know want need like really just also thing things way get getting have has had "
    "would help helps show up appear".split()
)
SUFFIXES: Final = ("ies", "ing", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """A crude English stem, enough to match "stretches"/"stretching"/"stretch" and "causes"/"cause"."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)].rstrip("e")
    return word.rstrip("e") if len(word) > 3 else word


@dataclass(frozen=True, slots=True)
class Passage:
    article: str
    """Slug of the article the sentence comes from."""
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class _Sentence:
    article: str
    text: str
    stems: frozenset[str]


@dataclass(frozen=True, slots=True)
class SentenceIndex:
    sentences: tuple[_Sentence, ...]
    idf: dict[str, float]

    def subject(self, normalized: str) -> frozenset[str]:
        """The stems a question is about."""
        return frozenset(stem(w) for w in normalized.split() if w not in QUESTION_WORDS and not w.isdigit())

    def search(self, normalized: str, *, article: str | None = None) -> tuple[Passage, ...]:
        """The sentences that answer the question, best first; () when none reaches the floor."""
        wanted = self.subject(normalized)
        known = [self.idf[s] for s in wanted if s in self.idf]
        if not known:
            return ()  # "what is the capital of france": nothing of ours to answer with
        # A word no article has weighs as much as the question's known words do on average:
        # "causes" in "what causes hip flexor pain" costs a little, "blood pressure" a lot.
        total = sum(known) + (len(wanted) - len(known)) * sum(known) / len(known)
        scored = [
            (sum(self.idf[s] for s in wanted & sentence.stems) / total, sentence)
            for sentence in self.sentences
            if article is None or sentence.article == article
        ]
        scored = [(score, s) for score, s in scored if score >= ANSWER_FLOOR]
        if not scored:
            return ()
        best = max(score for score, _ in scored)
        near = sorted((p for p in scored if p[0] >= best - NEAR_BEST), key=lambda p: -p[0])[:MAX_SENTENCES]
        return tuple(Passage(s.article, s.text, round(100 * score, 1)) for score, s in near)


def build_sentence_index(library: Library) -> SentenceIndex:
    sentences = []
    for article in library.articles:
        for block in (article.intro, *article.warnings, *article.tips):
            for text in SENTENCE_END.split(block):
                stems = frozenset(stem(w) for w in normalize(text).split() if w not in QUESTION_WORDS)
                if stems:
                    sentences.append(_Sentence(article.slug, text.strip(), stems))
    frequency = Counter(s for sentence in sentences for s in sentence.stems)
    count = max(len(sentences), 1)
    idf = {s: math.log((count + 1) / (n + 0.5)) + 1 for s, n in frequency.items()}
    return SentenceIndex(tuple(sentences), idf)
