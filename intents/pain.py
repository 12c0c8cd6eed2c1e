"""The recall-first pain and distress detector: runs on every utterance before any other intent.

Costs are asymmetric, so the design is too: a false stop costs the person one "I'm fine,
carry on", a missed report can injure. Any clause that reports pain, injury, nerve signs or
distress is a report, whatever else the sentence asks. Only three readings take a pain word
out of a report, each narrow: it is negated ("nothing hurts", "there's no pain"), it is a
hypothetical question ("is it going to hurt?", "what if it starts hurting?": a warning
question), or it is a question about pain as a topic with nobody's pain in it ("what causes
hip flexor pain"). A stretching sensation said with pleasure ("feels good") is not pain.
Pure: no I/O once the vocabulary is loaded.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .english import is_english
from .normalize import fold

__all__ = [
    "PAIN_FILE",
    "PainReading",
    "PainVocabulary",
    "detect_pain",
    "load_pain_vocabulary",
    "mentions_pain",
    "split_clauses",
]

PAIN_FILE: Final = Path(__file__).parent / "pain.toml"
NEGATION_REACH: Final = 4  # "there is really no pain" : a negator this many words back still governs
MIN_FUZZY_CHARS: Final = 5  # shorter pain words ("sore", "ache") get typos from the slips table instead
TYPO_SIMILARITY: Final = 0.8  # one slip in five letters: "throbing", "tinglin", "dizzyness"
# Clause boundaries in speech, which has no punctuation: "ok next step ouch my wrist".
# "pins and needles" is one sign, not two clauses
JOINED_BY_AND: Final = frozenset({"pins"})
CLAUSE_MARKERS: Final = frozenset("but and then so actually although though because while wait".split())
PUNCTUATION: Final = re.compile(r"[,.;:!?\u2026]+|\s[-\u2013\u2014]+\s")
WORD: Final = re.compile(r"[a-z0-9']+")
EXPANSIONS: Final = {
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "aint": "is not",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "whos": "who is",
}
FILLERS: Final = frozenset("um umm uh uhh uhm er erm hmm".split())  # "my groin is uh killing"
DROPPED_SUBJECT_VERBS: Final = frozenset({"is", "are"})
ASKING_ABOUT: Final = frozenset("normal ok okay fine alright bad good supposed meant expected usual".split())
"""Words that keep "is burning normal" a question though its subject is dropped."""
PLEASURE_NEGATION_REACH: Final = 2  # "not a good burn": a negator this close undoes the pleasure
NOT_CONTRACTED: Final = frozenset("do does did is was are were has have had would could should must need".split())


class PainReading(StrEnum):
    REPORT = "report"
    """Pain, injury, nerve signs or distress happening now: stop."""
    HYPOTHETICAL = "hypothetical"
    """A question about pain that may come: answer with the warning."""
    NONE = "none"
    """No pain word, or only negated, topical or pleasant ones."""


@dataclass(frozen=True, slots=True)
class PainVocabulary:
    words: frozenset[str]
    phrases: Mapping[str, tuple[tuple[str, ...], ...]]
    """Pain phrases by their first word: a clause is read once, not once per phrase."""
    sensations: frozenset[str]
    qualifiers: frozenset[str]
    negators: frozenset[str]
    hedges: frozenset[str]
    relief_after: frozenset[str]
    relief_before: tuple[tuple[str, ...], ...]
    relief_later: tuple[tuple[str, ...], ...]
    not_now: tuple[tuple[str, ...], ...]
    still: tuple[tuple[str, ...], ...]
    others: frozenset[str]
    possessives: frozenset[str]
    pronouns: frozenset[str]
    asked_after_if: tuple[tuple[str, ...], ...]
    speaker: frozenset[str]
    body_parts: frozenset[str]
    hypothetical: tuple[tuple[str, ...], ...]
    present: tuple[tuple[str, ...], ...]
    openers: tuple[tuple[str, ...], ...]
    first_person: frozenset[str]
    directions: frozenset[str]
    interjections: frozenset[str]
    injuries: frozenset[str]
    idioms: tuple[tuple[str, ...], ...]
    topics: tuple[tuple[str, ...], ...]
    question_topics: tuple[tuple[str, ...], ...]
    conditions: frozenset[str]
    about_exercise: frozenset[str]
    slips: dict[str, str]
    fuzzy_choices: tuple[str, ...]


def _seq(items: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(item.split()) for item in items)


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[tuple[str, ...], ...]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        grouped.setdefault(phrase[0], []).append(phrase)
    return {first: tuple(group) for first, group in grouped.items()}


@lru_cache(maxsize=4)
def load_pain_vocabulary(path: Path = PAIN_FILE) -> PainVocabulary:
    with path.open("rb") as stream:
        data = tomllib.load(stream)
    words = frozenset(w for family in data["words"].values() for w in family)
    context = data["context"]
    phrases = data["phrases"]
    templates = [t.replace("{part}", part) for t in phrases["about_a_body_part"] for part in phrases["body_parts"]]
    return PainVocabulary(
        words=words,
        phrases=_by_first_word(_seq(phrases["report"] + templates)),
        sensations=frozenset(data["positive"]["sensations"]),
        qualifiers=frozenset(data["positive"]["qualifiers"]),
        negators=frozenset(context["negators"]),
        hedges=frozenset(context["hedges"]),
        relief_after=frozenset(context["relief_after"]),
        relief_before=_seq(context["relief_before"]),
        relief_later=_seq(context["relief_later"]),
        not_now=_seq(context["not_now"]),
        still=_seq(context["still"]),
        others=frozenset(context["others"]),
        possessives=frozenset(context["possessives"]),
        pronouns=frozenset(context["pronouns"]),
        asked_after_if=_seq(context["asked_after_if"]),
        speaker=frozenset(context["speaker"]),
        body_parts=frozenset(phrases["body_parts"]),
        hypothetical=_seq(context["hypothetical"]),
        present=_seq(context["present"]),
        openers=_seq(context["question_openers"]),
        first_person=frozenset(context["first_person"]),
        directions=frozenset(context["directions"]),
        interjections=frozenset(data["words"]["interjections"]),
        injuries=frozenset(data["words"]["injury"]),
        idioms=_seq(context["idioms"]),
        topics=_seq(context["topics"]),
        question_topics=_seq(context["question_topics"]),
        conditions=frozenset(context["conditions"]),
        about_exercise=frozenset(context["about_exercise"]),
        slips=dict(data["slips"]),
        fuzzy_choices=tuple(sorted(w for w in words if len(w) >= MIN_FUZZY_CHARS)),
    )


def split_clauses(text: str) -> list[str]:
    """Clauses of typed or transcribed text: at punctuation, and before words that start a new
    thought ("but", "and", "then", "actually")."""
    clauses: list[str] = []
    for part in PUNCTUATION.split(text):
        current: list[str] = []
        for word in part.split():
            if fold(word).strip(",.!?") in CLAUSE_MARKERS and current and fold(current[-1]) not in JOINED_BY_AND:
                clauses.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            clauses.append(" ".join(current))
    return clauses


def detect_pain(text: str, vocabulary: PainVocabulary | None = None) -> PainReading:
    """REPORT if any clause reports pain; else HYPOTHETICAL if any asks what if it hurts; else NONE."""
    vocab = vocabulary or load_pain_vocabulary()
    clauses = split_clauses(text)
    pleased = _pleased(_words(text, vocab), vocab)
    asked = text.rstrip().endswith("?")
    question = asked or any(_opens_question(_words(c, vocab), vocab) for c in clauses)
    now = _has(_words(text, vocab), vocab.still)  # "my knee was sore yesterday and it still is"
    readings = [
        _read_clause(c, asked and n == len(clauses) - 1, pleased, vocab, in_question=question, now=now)
        for n, c in enumerate(clauses)
    ]
    if PainReading.REPORT in readings:
        return PainReading.REPORT
    if PainReading.HYPOTHETICAL in readings or _asks_with_condition(text, clauses, vocab):
        return PainReading.HYPOTHETICAL
    return PainReading.NONE


def mentions_pain(text: str, vocabulary: PainVocabulary | None = None) -> bool:
    """Whether any word or phrase of the pain vocabulary is said, whatever detect_pain made of it:
    where it is, the detector's reading of negation, questions and the past is the one to keep."""
    vocab = vocabulary or load_pain_vocabulary()
    words = _words(text, vocab)
    return bool(vocab.words & set(words)) or any(
        tuple(words[i : i + len(p)]) == p for i, w in enumerate(words) for p in vocab.phrases.get(w, ())
    )


def _asks_with_condition(text: str, clauses: list[str], vocab: PainVocabulary) -> bool:
    """ "is this ok if i'm pregnant?", "i had hip surgery, is this alright for me?": a question
    about doing the exercises with a health condition is answered with the warning."""
    words = set(_words(text, vocab))
    if not vocab.conditions & words or not vocab.about_exercise & words:
        return False
    return text.rstrip().endswith("?") or any(_opens_question(_words(c, vocab), vocab) for c in clauses)


def _opens_question(words: list[str], vocab: PainVocabulary) -> bool:
    """ "is it going to hurt": a question; "is hurting when i lower the leg", a statement with its
    subject dropped (as many learners of English say it), is not."""
    if (
        len(words) > 1
        and words[0] in DROPPED_SUBJECT_VERBS
        and words[1] in vocab.words
        and words[1].endswith("ing")
        and not ASKING_ABOUT & set(words)
    ):
        return False
    return any(words[: len(o)] == list(o) for o in vocab.openers)


def _pleased(words: list[str], vocab: PainVocabulary) -> bool:
    """A stretch said with pleasure ("feels good"), not "not a good burn"."""
    return any(
        w in vocab.qualifiers and not vocab.negators & set(words[max(0, i - PLEASURE_NEGATION_REACH) : i])
        for i, w in enumerate(words)
    )


def _words(clause: str, vocab: PainVocabulary) -> list[str]:
    words = []
    for raw in WORD.findall(fold(clause).replace("'", "")):
        word = EXPANSIONS.get(raw, raw)
        if word.endswith("nt") and word[:-2] in NOT_CONTRACTED:
            word = word[:-2] + " not"  # "didnt", "isnt", "wasnt": a negator like "not"
        words += [_fix(part, vocab) for part in word.split()]
    return words


def _fix(word: str, vocab: PainVocabulary) -> str:
    if word in vocab.words or word in vocab.slips:
        return vocab.slips.get(word, word)
    if len(word) >= MIN_FUZZY_CHARS and word.isalpha() and not is_english(word):
        close = process.extractOne(
            word, vocab.fuzzy_choices, scorer=OSA.normalized_similarity, processor=None, score_cutoff=TYPO_SIMILARITY
        )
        if close is not None:
            return close[0]
    return word


def _find(words: list[str], phrase: tuple[str, ...]) -> list[int]:
    n = len(phrase)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase]


def _has(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    said = set(words)
    return any(p[0] in said and _find(words, p) for p in phrases)


def _read_clause(
    clause: str,
    asked: bool,
    pleased: bool,
    vocab: PainVocabulary,
    *,
    in_question: bool = False,
    now: bool = False,
) -> PainReading:
    words = _words(clause, vocab)
    if not words or _idiom(words, vocab):
        return PainReading.NONE
    if words[0] == "if" and (in_question or _has(words, vocab.asked_after_if)) and not _has(words, vocab.present):
        return PainReading.HYPOTHETICAL  # "if i get pins and needles, should i stop?"
    if vocab.interjections & set(words):
        return PainReading.REPORT  # "ouch", "ow": nobody says them of a pain to come
    hits = [i for i, w in enumerate(words) if w in vocab.words and not _benign(words, i, pleased, vocab)]
    phrase_hits = [
        i
        for i, word in enumerate(words)
        for phrase in vocab.phrases.get(word, ())
        if tuple(words[i : i + len(phrase)]) == phrase and not _negated_before(words, i, vocab)
    ]
    if not hits and not phrase_hits:
        return PainReading.NONE
    if _not_the_speakers_now(words, min(hits + phrase_hits), now, vocab):
        return PainReading.NONE
    question = asked or clause.rstrip().endswith("?") or _opens_question(words, vocab)
    if not phrase_hits and _topical(words, hits, question, vocab):
        return PainReading.NONE  # "exercises for lower back pain", "will these help with my back pain?"
    if question and _has(words, vocab.hypothetical) and not _has(words, vocab.present):
        return PainReading.HYPOTHETICAL
    if question and not phrase_hits and not vocab.first_person & set(words):
        return PainReading.NONE  # "what causes hip flexor pain": a question about pain, not a report
    if phrase_hits or any(not _negated(words, i, vocab) for i in hits):
        return PainReading.REPORT
    return PainReading.NONE


def _idiom(words: list[str], vocab: PainVocabulary) -> bool:
    """ "killing it", "a good burn" ... but not "not a good burn"."""
    said = set(words)
    return any(
        not vocab.negators & set(words[max(0, i - PLEASURE_NEGATION_REACH) : i])
        for idiom in vocab.idioms
        if idiom[0] in said  # most turns hold no idiom's first word: nothing to look for
        for i in _find(words, idiom)
    )


def _not_the_speakers_now(words: list[str], first: int, now: bool, vocab: PainVocabulary) -> bool:
    """Pain that is someone else's ("my husband has sciatica"), told as past or to come ("my knee
    was sore yesterday", "my legs will be sore tomorrow") or gone since ("the pain i had after
    surgery has gone now")."""
    said = set(words)
    if _has(words[first + 1 :], vocab.relief_later):
        return True
    if _has(words, vocab.not_now) and not now:
        return True
    pairs = list(itertools.pairwise(words))
    mine = vocab.speaker & said or any(a == "my" and b in vocab.body_parts for a, b in pairs)
    theirs = words[0] in vocab.pronouns or any(
        a in vocab.possessives and b in vocab.others and not (a in {"my", "a"} and b in vocab.body_parts)
        for a, b in pairs
    )
    return theirs and not mine


def _topical(words: list[str], hits: list[int], question: bool, vocab: PainVocabulary) -> bool:
    """Pain named as what the exercises are for, or asked about as a topic, before every pain word."""
    markers = vocab.topics + (vocab.question_topics if question else ())
    starts = [i for p in markers for i in _find(words, p)]
    return bool(starts) and min(starts) < min(hits)


def _benign(words: list[str], i: int, pleased: bool, vocab: PainVocabulary) -> bool:
    """A stretch felt with pleasure, or an injury word that is really a movement of the step."""
    word = words[i]
    if word in vocab.sensations and pleased:
        return True
    if word in vocab.injuries and word in {"pulled", "twisted"}:
        after = words[i + 1 : i + 5]
        if vocab.directions & set(after) and "something" not in after and "muscle" not in after:
            return True  # "i pulled my leg toward my chest"
    if word != "killing":
        return False
    if i + 1 < len(words) and words[i + 1] in {"me", "my", "myself"}:
        return False
    said_before = [w for w in words[:i] if w not in FILLERS]
    return not said_before or said_before[-1] not in DROPPED_SUBJECT_VERBS  # "my groin is uh killing"


def _negated(words: list[str], i: int, vocab: PainVocabulary) -> bool:
    """'no pain', 'nothing hurts', 'does not hurt', 'pain free', 'stopped hurting' ... but 'not much'."""
    before = words[max(0, i - NEGATION_REACH) : i]
    after = words[i + 1 : i + 4]
    if vocab.relief_after & set(after[:2]) or any(_find(before[-2:], p) for p in vocab.relief_before):
        return not vocab.hedges & set(after[:1])
    return _negated_before(words, i, vocab)


def _negated_before(words: list[str], i: int, vocab: PainVocabulary) -> bool:
    """A negator up to NEGATION_REACH words before, not hedged: "no pins and needles", but "not much"."""
    before = words[max(0, i - NEGATION_REACH) : i]
    after = words[i + 1 : i + 2]
    for j in range(len(before) - 1, -1, -1):
        if before[j] == "no" and before[j + 1 : j + 2] and before[j + 1] in vocab.first_person:
            continue  # "no, it hurts", "no wait my knee hurts": an answer, not a negation
        if before[j] in vocab.negators:
            hedged = set(before[j + 1 :]) & vocab.hedges or (after[:1] and after[0] in vocab.hedges)
            return not hedged
    return False
