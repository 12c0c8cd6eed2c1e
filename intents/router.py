"""Route an utterance to an intent and its entities: Match, Ambiguous or NoMatch. Pure, no state."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from rapidfuzz import fuzz, process

from content import Library

from .clauses import Talk, Tokens, load_talk, tokenize
from .descriptions import DescriptionIndex, build_description_index
from .exercises import Alias, ExerciseHit, derive_aliases, find_exercise
from .learned import IntentModel, Verdict, features, load_model
from .lexicon import Lexicon
from .normalize import normalize, phonetic_key
from .pain import PainReading, PainVocabulary, detect_pain, load_pain_vocabulary, mentions_pain
from .retrieval import Passage, SentenceIndex, build_sentence_index
from .spotting import Spot, best_spot, find_spots
from .steps import LAST_STEP, STEP_SLOT, extract_step
from .subjects import REQUEST_WORDS, SubjectIndex, build_subject_index
from .vocabulary import CONTENT_INTENTS, GUIDANCE_INTENTS, Intent, load_phrasings

__all__ = [
    "Ambiguous",
    "Context",
    "Match",
    "NoMatch",
    "Outcome",
    "RouterIndex",
    "Thresholds",
    "build_index",
    "route",
]

log = logging.getLogger(__name__)

EXERCISE_SLOT: Final = "{exercise}"
# Reps counted out loud, at the end of the turn: "that's six", "that makes 4", "7 done".
COUNTED: Final = re.compile(r"\bthat (?:is|makes) \d+(?: done)?$|^\d+ done$")
MAX_UTTERANCE_CHARS: Final = 500  # a spoken or typed command is short; this bounds the work
# Words that carry no subject matter: never a sign that the person asks about something
# the content does not have.
FUNCTION_WORDS: Final = frozenset(
    "i me my mine you your we us our it its this that these those is are was were be been "
    "am do does did done to of in on at for with and or but if then than there here what "
    "which who whom whose how when where why can could should would will shall may might "
    "must not no yes have has had get got go going want need some any all more most very "
    "too also about from up down out into over by as now again one first last lot bit "
    "little much really still just quite thing things kind sort way".split()
)
# Decided by their own detectors, never by resemblance to a phrasing: pain by intents/pain.py
# (recall first, negation and questions understood), questions about an article by retrieval.
DETECTED: Final = frozenset({Intent.PAIN, Intent.ASK_ARTICLE})
DETECTED_SCORE: Final = 100.0  # a detector's reading is not a similarity: report it as certain
LEARNED_SCORE: Final = 80.0  # the model's verdict is not a similarity either: reported as a clear reading
NARRATION_SCORE: Final = 80.0  # "i'm on my back now": nothing asked, but plainly part of the exercise
MAX_ASIDE_WORDS: Final = 2  # "my cat just sat on me lol, anyway next step": an aside said before the command
MAX_FOREIGN_IN_PAIN_QUESTION: Final = (
    1  # "is this ok if i'm pregnant" asks for the warning; "will it hurt my credit score" does not
)
KNOWN_INTENTS: Final = frozenset(i.value for i in Intent)
QUESTION_OPENERS: Final = frozenset(
    "what why how who is are does do can could tell explain which where when will".split()
)
WH_WORDS: Final = frozenset("why how what where when which who".split())
WHY_WORDS: Final = frozenset("why where when".split())
QUALIFIERS: Final = frozenset("of for in on from".split())  # "step 2 of {exercise}", "the hold in {exercise}"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Calibrated on the dev halves of benchmarks/data/intents_eval.tsv and CLINC150
    (`python -m benchmarks.eval_intents --calibrate`): the best in-scope accuracy with at
    most 1% of out-of-scope queries accepted. Config may override them."""

    accept: float = 76.0
    """Below this the best phrasing is too far from what was said: out of scope."""
    sure: float = 90.0
    """At or above this a phrasing matches so closely that a near runner-up does not matter."""
    margin: float = 4.0
    """Between accept and sure, the winner must beat the best other intent by this much."""
    exercise: float = 84.0
    """An exercise name typed with a typo or two ("cobra strech") still scores above this."""
    exercise_by_sound: float = 90.0
    """Phonetic keys are short, so a sound-alike must be nearly identical to count."""
    exercise_margin: float = 4.0
    """Two different exercises scoring within this of each other: ask which one."""
    in_progress_bonus: float = 6.0
    """Mid-exercise, a near miss on "next"/"repeat"/... means the step, not something else."""
    unknown_penalty: float = 8.0
    """Per word we have never seen: it is likely what the sentence is really about."""
    learned: float = -0.25
    """The learned model's decision value at which its reading wins over a phrasing found
    (0: for that intent against all others; all four chosen by leaving one writer out)."""
    learned_rescue: float = -0.75
    """... at which it understands a turn no phrasing matched: people's own words."""
    learned_out: float = 0.5
    """... at which "that is something we do not do" wins over a phrasing found."""
    learned_pain: float = 0.0
    """The learned model's decision value at which a turn the pain detector passed is pain."""


@dataclass(frozen=True, slots=True)
class Context:
    """What the conversation knows right now; passed in, never stored in the router."""

    current_exercise: str | None = None
    """Slug of the exercise being guided, if any."""


@dataclass(frozen=True, slots=True)
class Match:
    intent: Intent
    score: float
    exercise: str | None = None
    """Slug of the exercise named in the utterance, if any."""
    step: int | None = None
    text: str = ""
    """The utterance as normalised: what the match was made on."""
    passages: tuple[Passage, ...] = ()
    """For ask_article: the article's sentences that answer the question, best first."""


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """The intent is clear but the exercise is not: ask which of `candidates`."""

    intent: Intent
    score: float
    candidates: tuple[str, ...]
    step: int | None = None


@dataclass(frozen=True, slots=True)
class NoMatch:
    """Out of scope: nothing we can help with, or an exercise/body part the content lacks."""

    score: float
    best: Intent | None = None
    reason: str = "no phrasing is close enough"


Outcome = Match | Ambiguous | NoMatch


@dataclass(frozen=True, slots=True)
class Phrasing:
    intent: Intent
    text: str
    key: str


@dataclass(frozen=True, slots=True)
class RouterIndex:
    """Everything route() needs, built once from the phrasings and the loaded content."""

    phrasings: tuple[Phrasing, ...]
    aliases: tuple[Alias, ...]
    lexicon: Lexicon
    step_counts: Mapping[str, int]
    thresholds: Thresholds = field(default_factory=Thresholds)
    texts: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    word_sets: tuple[frozenset[str], ...] = ()
    postings: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """For each word, the phrasings (by position) it is in: overlaps() reads only those."""
    phrasing_weights: tuple[float, ...] = ()
    exact: Mapping[str, Intent] = field(default_factory=dict)
    """Each normalised phrasing and its intent, for finding phrasings inside longer turns."""
    commands: frozenset[str] = frozenset()
    """Every word of the phrasings: the words commands are made of."""
    harmless: frozenset[str] = frozenset()
    """Words that never sink a command said beside them: talk, narration, the steps' words."""
    talk: Talk = field(default_factory=load_talk)
    pain: PainVocabulary = field(default_factory=load_pain_vocabulary)
    sentences: SentenceIndex | None = None
    subjects: SubjectIndex | None = None
    descriptions: DescriptionIndex | None = None
    model: IntentModel | None = None
    """The learned reading of intents (intents/learned.py), or None for the phrasings alone."""

    @property
    def vocabulary(self) -> frozenset[str]:
        return self.lexicon.vocabulary

    def canonical(self, word: str) -> str:
        return self.lexicon.canonical(word)

    def overlaps(self, words: list[str]) -> list[tuple[int, float]]:
        """Weighted word-overlap F1 with every phrasing (rare words count more), as 0..100.

        Unlike token_set_ratio, words of the utterance missing from the phrasing lower
        the score, by how informative they are: "play the next song" is not "next".
        """
        said = set(words)
        said_weight = sum(self.lexicon.weight(w) for w in said)
        shared: dict[int, float] = defaultdict(float)
        for word in said:
            weight = self.lexicon.weight(word)
            for position in self.postings.get(word, ()):
                shared[position] += weight
        return [
            (position, 200 * weight / (said_weight + self.phrasing_weights[position]))
            for position, weight in sorted(shared.items())
            if weight
        ]


def build_index(
    library: Library,
    phrasings: Mapping[Intent, tuple[str, ...]] | None = None,
    thresholds: Thresholds | None = None,
    *,
    learned: bool = True,
) -> RouterIndex:
    """Normalise every phrasing once and derive the exercise aliases from the content."""
    source = load_phrasings() if phrasings is None else phrasings
    normalized = [
        Phrasing(intent, text, phonetic_key(text))
        for intent, examples in source.items()
        for text in dict.fromkeys(normalize(e) for e in examples)
    ]
    commands = frozenset(w for p in normalized for w in p.text.split() if not w.startswith("{"))
    aliases = derive_aliases(library, reserved=commands)
    talk, pain = load_talk(), load_pain_vocabulary()
    extra = {w for a in aliases for w in a.text.split()}
    extra |= {w for art in library.articles for w in normalize(art.title).split()}
    extra |= {w for art in library.articles for item in art.things_needed for w in normalize(item).split()}
    steps = {w for e in library.exercises for s in e.steps for w in normalize(s.text).split()}
    harmless = FUNCTION_WORDS | talk.acknowledgements | talk.narration | pain.words | steps | extra
    scored = [p for p in normalized if p.intent not in DETECTED]
    lexicon = Lexicon((p.text.split() for p in normalized), extra | harmless, light=FUNCTION_WORDS)
    word_sets = tuple(frozenset(p.text.split()) for p in scored)
    return RouterIndex(
        phrasings=tuple(scored),
        aliases=aliases,
        lexicon=lexicon,
        step_counts={e.slug: len(e.steps) for e in library.exercises},
        thresholds=thresholds or Thresholds(),
        texts=tuple(p.text for p in scored),
        keys=tuple(p.key for p in scored),
        word_sets=word_sets,
        postings=_postings(word_sets),
        phrasing_weights=tuple(sum(lexicon.weight(w) for w in words) for words in word_sets),
        exact={p.text: p.intent for p in scored},
        commands=commands,
        harmless=frozenset(harmless),
        talk=talk,
        pain=pain,
        sentences=build_sentence_index(library),
        subjects=build_subject_index(library),
        descriptions=build_description_index(library),
        model=load_model() if learned else None,
    )


def _postings(word_sets: tuple[frozenset[str], ...]) -> dict[str, tuple[int, ...]]:
    found: dict[str, list[int]] = defaultdict(list)
    for position, words in enumerate(word_sets):
        for word in words:
            found[word].append(position)
    return {word: tuple(positions) for word, positions in found.items()}


def route(text: str, index: RouterIndex, context: Context | None = None) -> Outcome:
    """Map what someone typed or said to an intent, its exercise and step.

    Pain first, on every utterance: a report stops everything else. Then the phrasings found
    inside the turn (acknowledgements and narration around them are harmless), then the whole
    turn compared with every phrasing (typos, sound-alikes), then narration alone and questions
    about the articles.
    """
    context = context or Context()
    raw = text[:MAX_UTTERANCE_CHARS] if isinstance(text, str) else ""
    reading = detect_pain(raw, index.pain)
    tokens, heard = tokenize(raw, index.talk)
    plain = tokens.text
    if reading is PainReading.REPORT:
        return _logged(plain, Match(Intent.PAIN, DETECTED_SCORE, text=plain))
    if not tokens.words:
        if heard:
            return _logged(plain, Match(Intent.ACKNOWLEDGE, DETECTED_SCORE, text=plain))
        return NoMatch(0.0, reason="nothing was said")
    if _off_topic(tokens, index):
        return _logged(plain, NoMatch(0.0, reason="about something else"))
    tokens, said, step, hit = _read(tokens, index)
    if (
        reading is PainReading.HYPOTHETICAL
        and sum(not _known(w, index) for w in tokens.words) <= MAX_FOREIGN_IN_PAIN_QUESTION
    ):
        # "will this hurt?" reads the warning; "will late payments hurt my credit" is about something else
        exercise = hit.slugs[0] if hit and len(hit.slugs) == 1 else None
        return _logged(plain, Match(Intent.WARNING, DETECTED_SCORE, exercise, text=plain))
    verdict = _verdict(said, heard, hit, index, context)
    if (
        reading is PainReading.NONE
        and _learned(verdict, Intent.PAIN, index.thresholds.learned_pain)
        and not mentions_pain(raw, index.pain)  # "my knee is not hurting": the detector has read it
    ):
        return _logged(plain, Match(Intent.PAIN, LEARNED_SCORE, text=plain))
    outcome = _weighed(_understood(tokens, hit, step, index, context), verdict, tokens, hit, step, index, context)
    if isinstance(outcome, Match) and not outcome.text:
        outcome = replace(outcome, text=plain)
    return _logged(plain, outcome)


def model_features(text: str, index: RouterIndex, *, guided: bool) -> str:
    """What the learned model reads for `text`: its words with the exercise named and the step
    mentioned as slots, the acknowledgements heard and whether an exercise is guided."""
    tokens, heard = tokenize(text[:MAX_UTTERANCE_CHARS], index.talk)
    _, said, _, hit = _read(tokens, index)
    return _model_text(said, heard, hit, guided=guided)


def _model_text(said: Tokens, heard: frozenset[str], hit: ExerciseHit | None, *, guided: bool) -> str:
    return features(_fill_exercise_slot(said, hit).words, heard, guided)


def _read(tokens: Tokens, index: RouterIndex) -> tuple[Tokens, Tokens, int | None, ExerciseHit | None]:
    """The words with the step slotted and typos fixed, the same before typo fixing (what the
    model reads: its letter n-grams cope with typos), the step mentioned and the exercise named."""
    said, step = extract_step(tokens)
    fixed = Tokens(tuple(index.canonical(w) for w in said.words), said.clauses)
    return fixed, said, step, _by_article(fixed, _find_exercise(fixed, index), index)


def _verdict(
    said: Tokens, heard: frozenset[str], hit: ExerciseHit | None, index: RouterIndex, context: Context
) -> Verdict | None:
    if index.model is None:
        return None
    return index.model.judge(_model_text(said, heard, hit, guided=context.current_exercise is not None))


def _learned(verdict: Verdict | None, intent: Intent, floor: float) -> bool:
    return verdict is not None and verdict.intent == intent.value and verdict.score >= floor


def _weighed(
    outcome: Outcome,
    verdict: Verdict | None,
    tokens: Tokens,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    """The phrasings' reading against the learned one: where the model is sure of another intent
    and the turn has what that intent needs (a name to start, a step to read), the model's wins."""
    if verdict is None or not _model_wins(outcome, verdict, tokens, hit, index):
        return outcome
    if verdict.intent == Intent.OUT_OF_SCOPE.value:
        return NoMatch(verdict.score, reason="reads as something we do not do")
    intent = Intent(verdict.intent)
    if intent in DETECTED:  # pain is decided before; questions need the article's sentences
        return (_question(tokens, index, context) if intent is Intent.ASK_ARTICLE else None) or outcome
    if intent is Intent.START_EXERCISE and hit is None:
        return outcome
    if intent in (Intent.GOTO_STEP, Intent.READ_STEP) and step is None:
        return outcome
    if intent not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    named = hit if intent in CONTENT_INTENTS or intent is Intent.START_EXERCISE else None
    return _with_exercise(intent, LEARNED_SCORE, named, step, index, context)


def _model_wins(
    outcome: Outcome, verdict: Verdict, tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex
) -> bool:
    """Whether the model's verdict, for another intent than the phrasings', is sure enough to win."""
    limits = index.thresholds
    if verdict.intent == _intent_of(outcome) or verdict.intent not in KNOWN_INTENTS:
        return False
    if tokens.text in index.exact or _fill_exercise_slot(tokens, hit).text in index.exact:
        return False  # the turn is a phrasing, word for word: the phrasings say what it means
    if verdict.intent == Intent.OUT_OF_SCOPE.value:
        return verdict.score >= limits.learned_out
    return verdict.score >= (limits.learned_rescue if isinstance(outcome, NoMatch) else limits.learned)


def _intent_of(outcome: Outcome) -> str:
    return Intent.OUT_OF_SCOPE.value if isinstance(outcome, NoMatch) else outcome.intent.value


def _understood(
    tokens: Tokens, hit: ExerciseHit | None, step: int | None, index: RouterIndex, context: Context
) -> Outcome:
    """Spotted phrasings, narration, the whole turn; then body parts and questions about the articles."""
    slotted = _fill_exercise_slot(tokens, hit)
    if COUNTED.search(tokens.text):
        return Match(Intent.COUNT_REP, NARRATION_SCORE)
    outcome = (
        _spotted(slotted, tokens, hit, step, index, context)
        or _described(tokens, hit, index, context)
        or _narration(tokens, hit, index, context)
    )
    if outcome is None and hit is not None and hit.generic and _modified(slotted, hit, index):
        return _other_exercise(Intent.START_EXERCISE, NARRATION_SCORE, hit, index)  # "a neck stretch"
    if outcome is None:
        outcome = _whole(tokens.text, slotted.text if hit else None, hit, step, index, context)
    if isinstance(outcome, NoMatch) and tokens.words[0] in WHY_WORDS:  # asks about, not for, a body part
        outcome = _question(tokens, index, context) or outcome
    if _about_a_subject(outcome, hit, index):
        outcome = _by_subject(tokens, index, hit) or outcome
    if isinstance(outcome, NoMatch):
        outcome = _question(tokens, index, context) or outcome
    return outcome


def _about_a_subject(outcome: Outcome, hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """No command, a kind of movement only, a body part only ("hamstrings") or "exercises for ...":
    which exercises are about it may answer."""
    if isinstance(outcome, Match):
        return outcome.intent is Intent.LIST_EXERCISES
    if isinstance(outcome, Ambiguous):
        return _generic(hit, index) or (hit is not None and not hit.whole and not hit.kind)
    return hit is None or len(hit.slugs) > 1


def _off_topic(tokens: Tokens, index: RouterIndex) -> bool:
    """ "what time is it", "set a timer for the oven": close to a command, about something else."""
    words = tokens.words
    return any(tuple(words[i : i + len(p)]) == p for p in index.talk.off_topic for i in range(len(words) - len(p) + 1))


def _by_article(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex) -> ExerciseHit | None:
    """ "the cobra stretch from beginner yoga back bends", "the yoga cobra stretch": words of one
    article's title beside a name several articles share say which; the mention takes them in."""
    if hit is None or len(hit.slugs) < 2 or index.subjects is None:
        return hit
    start, end = hit.span
    words = tokens.words
    for slug in hit.slugs:
        title = index.subjects.title_words(slug) - FUNCTION_WORDS
        before, after = start, end
        while before > 0 and (words[before - 1] in title or words[before - 1] in QUALIFIERS):
            before -= 1
        while after < len(words) and (words[after] in title or words[after] in QUALIFIERS):
            after += 1
        if title & set(words[before:start] + words[end:after]):
            return replace(hit, slugs=(slug,), span=(before, after), whole=True, generic=False)
    return hit


def _logged(plain: str, outcome: Outcome) -> Outcome:
    log.debug("route %r -> %r", plain, outcome)
    return outcome


def _find_exercise(tokens: Tokens, index: RouterIndex) -> ExerciseHit | None:
    """The exercise named, looked for everywhere but in a step mention ("go to step 3")."""
    words = list(tokens.words)
    for i, word in enumerate(words):
        if word == STEP_SLOT:
            words[i - 1 : i + 1] = [STEP_SLOT, STEP_SLOT]
    limits = index.thresholds
    return find_exercise(
        " ".join(words),
        index.aliases,
        cutoff=limits.exercise,
        phonetic_cutoff=limits.exercise_by_sound,
        margin=limits.exercise_margin,
        reserved=index.exact,
    )


def _spotted(
    slotted: Tokens,
    tokens: Tokens,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome | None:
    """The actionable phrasing found inside the turn, if any clause holds one. A kind of movement
    named alone ("restart the stretch", "what stretches do you have") is a word, not a name."""
    if hit is not None and hit.generic:
        spot = _spot(tokens, index, None)
        if spot is not None and context.current_exercise in hit.slugs and spot.intent in CONTENT_INTENTS:
            step = step if spot.intent in (Intent.GOTO_STEP, Intent.READ_STEP) else None
            current = context.current_exercise  # "how long do i hold the stretch": the one in progress
            return Match(spot.intent, spot.score, current, _resolve(step, current, index))
        if spot is not None:
            return _act(spot, tokens, None, step, index, context)
    spot = _spot(slotted, index, hit)
    return None if spot is None else _act(spot, slotted, hit, step, index, context)


def _spot(slotted: Tokens, index: RouterIndex, hit: ExerciseHit | None) -> Spot | None:
    spots = find_spots(
        slotted,
        index.exact,
        harmless=lambda w: w in index.harmless or w.isdigit() or w.startswith("{"),
        trivial=lambda w: w in FUNCTION_WORDS or w in index.talk.acknowledgements,
        noun_markers=index.talk.noun_markers | {EXERCISE_SLOT},
        corrections=index.talk.corrections,
    )
    if hit is not None and hit.generic:  # "that's a good stretch": no exercise asked for
        spots = [s for s in spots if slotted.words[s.start : s.end] != (EXERCISE_SLOT,) or len(slotted.words) == 1]
    return best_spot([s for s in spots if _aside_is_an_aside(s, slotted, index)])


def _aside_is_an_aside(spot: Spot, tokens: Tokens, index: RouterIndex) -> bool:
    """Words we do not know, in other clauses than the command's, are an aside only when they
    come first and are few ("my cat just sat on my back lol, anyway next step"); otherwise the
    command word is part of something else ("go ahead and move $200 to my bank account")."""
    words = tokens.words
    first, last = tokens.clause_span(spot.start, spot.end)
    foreign = [i for i, w in enumerate(words) if not (first <= i < last or _known(w, index))]
    if not foreign:
        return True
    return last == len(words) and len(foreign) <= MAX_ASIDE_WORDS and max(foreign) < first


def _known(word: str, index: RouterIndex) -> bool:
    return word in index.harmless or index.lexicon.known(word)


def _act(
    spot: Spot, slotted: Tokens, hit: ExerciseHit | None, step: int | None, index: RouterIndex, context: Context
) -> Outcome | None:
    used_slot = _uses_slot(slotted, spot.start, spot.end)
    if used_slot and hit is not None and _modified(slotted, hit, index):
        return _other_exercise(spot.intent, spot.score, hit, index)
    exercise_hit = hit if used_slot or (hit and len(hit.slugs) == 1 and spot.intent in CONTENT_INTENTS) else None
    if spot.intent is Intent.START_EXERCISE and exercise_hit is None:
        return None
    if spot.intent not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    return _with_exercise(spot.intent, spot.score, exercise_hit, step, index, context)


def _whole(
    plain: str, slotted: str | None, hit: ExerciseHit | None, step: int | None, index: RouterIndex, context: Context
) -> Outcome:
    """The whole turn against every phrasing: typos, sound-alikes and near paraphrases."""
    limits = index.thresholds
    scores = _score_intents(plain, slotted, index)
    if context.current_exercise:
        scores = {
            i: (min(s + limits.in_progress_bonus, 100.0) if i in GUIDANCE_INTENTS else s, used)
            for i, (s, used) in scores.items()
        }
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1][0], list(Intent).index(kv[0])))
    return _decide(ranked, hit, step, plain, index, context)


def _narration(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex, context: Context) -> Outcome | None:
    """ "i'm on my back now", "my hands are under my shoulders": nothing asked, nothing to stop."""
    if not context.current_exercise or (hit is not None and not hit.generic):
        return None
    if tokens.words[0] in WH_WORDS:  # "why would my hip flexor get tight?": a question, not narration
        return None
    if all(w in index.harmless or w.isdigit() for w in tokens.words):
        return Match(Intent.ACKNOWLEDGE, NARRATION_SCORE)
    return None


def _modified(slotted: Tokens, hit: ExerciseHit, index: RouterIndex) -> bool:
    """ "a neck stretch", "the wall calf stretch" when we have no such: a word of its own right
    before a part of a title names another exercise."""
    start = hit.span[0]
    if hit.whole or start == 0:
        return False
    word = slotted.words[start - 1]
    known = word in FUNCTION_WORDS or word in index.talk.acknowledgements or word in index.commands
    return not (known or word.isdigit())


def _other_exercise(intent: Intent, score: float, hit: ExerciseHit, index: RouterIndex) -> Outcome:
    """Never start a different exercise than the one named: ask about a close one, or say we lack it."""
    if _generic(hit, index):
        return NoMatch(score, intent, reason="names an exercise we do not have")
    return Ambiguous(intent, score, hit.slugs)


def _generic(hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """The exercise "named" is only a kind of movement ("stretch"): it says nothing of which."""
    if hit is None or len(hit.slugs) < 2:
        return False
    return hit.generic or len(hit.slugs) >= len(index.step_counts) // 2


def _described(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex, context: Context) -> Outcome | None:
    """ "the one on the bed", "the standing one with the chair": no name, but words only one
    exercise's steps say; when several say them, ask which. Describing the one in progress
    starts nothing: it is narration."""
    if index.descriptions is None or (hit is not None and not hit.generic) or tokens.words[0] in WHY_WORDS:
        return None
    ignorable = FUNCTION_WORDS | index.talk.acknowledgements | REQUEST_WORDS
    start, end = hit.span if hit is not None else (0, 0)  # the kind named ("stretch") describes nothing
    words = [*tokens.words[:start], *tokens.words[end:]]
    candidates = index.descriptions.candidates(words, ignorable=ignorable)
    if hit is not None:  # "the standing stretch": one of the stretches
        candidates = tuple(slug for slug in candidates if slug in hit.slugs)
    if candidates == (context.current_exercise,):
        return None
    if len(candidates) == 1:
        return Match(Intent.START_EXERCISE, NARRATION_SCORE, candidates[0])
    return Ambiguous(Intent.START_EXERCISE, NARRATION_SCORE, candidates) if candidates else None


def _by_subject(tokens: Tokens, index: RouterIndex, hit: ExerciseHit | None) -> Outcome | None:
    """ "how do I stretch my calves", "something for my lower back": ask which of the exercises
    whose article is about it, never start one."""
    if index.subjects is None:
        return None
    ignorable = FUNCTION_WORDS | index.talk.acknowledgements
    candidates = index.subjects.candidates(list(tokens.words), ignorable=ignorable, commands=frozenset(index.exact))
    if not candidates or (hit is not None and not hit.generic and not set(hit.slugs) <= set(candidates)):
        return None
    return Ambiguous(Intent.START_EXERCISE, NARRATION_SCORE, candidates)


def _question(tokens: Tokens, index: RouterIndex, context: Context) -> Outcome | None:
    """A question the article's own sentences answer ("what is the iliopsoas")."""
    if index.sentences is None or not tokens.words or tokens.words[0] not in QUESTION_OPENERS:
        return None
    article = None
    if context.current_exercise and index.subjects is not None:
        article = index.subjects.article_of.get(context.current_exercise)
    passages = index.sentences.search(tokens.text, article=article) if article else ()
    passages = passages or index.sentences.search(tokens.text)
    if not passages:
        return None
    return Match(Intent.ASK_ARTICLE, passages[0].score, passages=passages)


def _fill_exercise_slot(tokens: Tokens, hit: ExerciseHit | None) -> Tokens:
    if hit is None:
        return tokens
    start, end = hit.span
    return tokens.replace(start, end, (EXERCISE_SLOT,))


def _score_intents(plain: str, slotted: str | None, index: RouterIndex) -> dict[Intent, tuple[float, bool]]:
    """Best score per intent, and whether it came from the exercise-slotted reading."""
    scores: dict[Intent, tuple[float, bool]] = {}
    readings = [(plain, False)] + ([(slotted, True)] if slotted else [])
    for reading, used_slot in readings:
        words = [index.canonical(w) for w in reading.split()]
        canon = " ".join(words)
        penalty = index.thresholds.unknown_penalty * sum(not index.lexicon.known(w) for w in words)
        for scorer, query, choices in (
            (fuzz.ratio, canon, index.texts),
            (fuzz.token_sort_ratio, canon, index.texts),
            (fuzz.ratio, phonetic_key(canon), index.keys),
        ):
            for _, score, position in process.extract(
                query, choices, scorer=scorer, processor=None, limit=None, score_cutoff=50
            ):
                _keep_best(scores, index.phrasings[position].intent, score - penalty, used_slot)
        for position, score in index.overlaps(words):
            _keep_best(scores, index.phrasings[position].intent, score - penalty, used_slot)
    return scores


def _keep_best(scores: dict[Intent, tuple[float, bool]], intent: Intent, score: float, slot: bool) -> None:
    if score > scores.get(intent, (0.0, False))[0]:
        scores[intent] = (score, slot)


def _decide(
    ranked: list[tuple[Intent, tuple[float, bool]]],
    hit: ExerciseHit | None,
    step: int | None,
    plain: str,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    limits = index.thresholds
    if not ranked:
        return NoMatch(0.0)
    best, (score, used_slot) = ranked[0]
    runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
    if score < limits.accept:
        return NoMatch(score, best)
    if score < limits.sure and score - runner_up < limits.margin:
        return NoMatch(score, best, reason="two intents are equally close")
    exercise_hit = hit if used_slot or (hit and len(hit.slugs) == 1 and best in CONTENT_INTENTS) else None
    if best in CONTENT_INTENTS and _names_something_else(plain, exercise_hit, index):
        return NoMatch(score, best, reason="asks about something the content does not have")
    if best is Intent.START_EXERCISE and exercise_hit is None:
        return NoMatch(score, best, reason="no exercise of ours was named")
    if best not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    return _with_exercise(best, score, exercise_hit, step, index, context)


def _uses_slot(slotted: Tokens, start: int, end: int) -> bool:
    """The exercise slot is in the phrasing or qualifies it: "what is step 2 of the cobra"."""
    after = slotted.words[end : end + 2]
    qualified = len(after) == 2 and after[0] in QUALIFIERS and after[1] == EXERCISE_SLOT
    return qualified or EXERCISE_SLOT in slotted.words[start:end]


def _with_exercise(
    intent: Intent,
    score: float,
    hit: ExerciseHit | None,
    step: int | None,
    index: RouterIndex,
    context: Context,
) -> Outcome:
    if hit is not None and len(hit.slugs) > 1:
        if context.current_exercise in hit.slugs and intent is not Intent.START_EXERCISE:
            return Match(intent, score, context.current_exercise, _resolve(step, context.current_exercise, index))
        return Ambiguous(intent, score, hit.slugs, step)
    exercise = hit.slugs[0] if hit else None
    return Match(intent, score, exercise, _resolve(step, exercise or context.current_exercise, index))


def _resolve(step: int | None, exercise: str | None, index: RouterIndex) -> int | None:
    """'last step' becomes a number once we know which exercise it is about."""
    if step == LAST_STEP and exercise in index.step_counts:
        return index.step_counts[exercise]
    return step


def _names_something_else(plain: str, hit: ExerciseHit | None, index: RouterIndex) -> bool:
    """Unknown words with no exercise of ours named ("hold the plank"), or beside a bare generic
    word ("a neck stretch"): the person asks about an exercise or body part we do not have."""
    if hit is not None and len(hit.slugs) == 1:
        return False
    words = plain.split()
    if hit is not None:
        words = words[: hit.span[0]] + words[hit.span[1] :]
    return any(not index.lexicon.known(index.canonical(w)) for w in words)
