"""Route an utterance to an intent and its entities: Match, Ambiguous or NoMatch. Pure, no state."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Final

from .asking import about_a_subject, by_subject, described, question
from .clauses import Tokens, tokenize
from .exercises import ExerciseHit
from .index import (
    DETECTED_SCORE,
    FUNCTION_WORDS,
    MAX_UTTERANCE_CHARS,
    NARRATION_SCORE,
    WH_WORDS,
    WHY_WORDS,
    RouterIndex,
)
from .naming import (
    EXERCISE_SLOT,
    fill_exercise_slot,
    modified,
    other_exercise,
    read_turn,
    resolve_step,
    uses_slot,
    with_exercise,
)
from .outcomes import Context, Match, NoMatch, Outcome
from .pain import PainReading, detect_pain, mentions_pain
from .scoring import whole_turn
from .spotting import Spot, best_spot, find_spots
from .vocabulary import CONTENT_INTENTS, Intent
from .weighing import LEARNED_SCORE, learned_says, verdict_of, weighed

__all__ = ["route"]

log = logging.getLogger(__name__)


# Reps counted out loud, at the end of the turn: "that's six", "that makes 4", "7 done".
COUNTED: Final = re.compile(r"\bthat (?:is|makes) \d+(?: done)?$|^\d+ done$")


MAX_ASIDE_WORDS: Final = 2  # "my cat just sat on me lol, anyway next step": an aside said before the command


MAX_FOREIGN_IN_PAIN_QUESTION: Final = (
    1  # "is this ok if i'm pregnant" asks for the warning; "will it hurt my credit score" does not
)


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
    tokens, said, step, hit = read_turn(tokens, index)
    if (
        reading is PainReading.HYPOTHETICAL
        and sum(not _known(w, index) for w in tokens.words) <= MAX_FOREIGN_IN_PAIN_QUESTION
    ):
        # "will this hurt?" reads the warning; "will late payments hurt my credit" is about something else
        exercise = hit.slugs[0] if hit and len(hit.slugs) == 1 else None
        return _logged(plain, Match(Intent.WARNING, DETECTED_SCORE, exercise, text=plain))
    verdict = verdict_of(said, heard, hit, index, context)
    if (
        reading is PainReading.NONE
        and learned_says(verdict, Intent.PAIN, index.thresholds.learned_pain)
        and not mentions_pain(raw, index.pain)  # "my knee is not hurting": the detector has read it
    ):
        return _logged(plain, Match(Intent.PAIN, LEARNED_SCORE, text=plain))
    outcome = weighed(_understood(tokens, hit, step, index, context), verdict, tokens, hit, step, index, context)
    if isinstance(outcome, Match) and not outcome.text:
        outcome = replace(outcome, text=plain)
    return _logged(plain, outcome)


def _understood(
    tokens: Tokens, hit: ExerciseHit | None, step: int | None, index: RouterIndex, context: Context
) -> Outcome:
    """Spotted phrasings, narration, the whole turn; then body parts and questions about the articles."""
    slotted = fill_exercise_slot(tokens, hit)
    if COUNTED.search(tokens.text):
        return Match(Intent.COUNT_REP, NARRATION_SCORE)
    outcome = (
        _spotted(slotted, tokens, hit, step, index, context)
        or described(tokens, hit, index, context)
        or _narration(tokens, hit, index, context)
    )
    if outcome is None and hit is not None and hit.generic and modified(slotted, hit, index):
        return other_exercise(Intent.START_EXERCISE, NARRATION_SCORE, hit, index)  # "a neck stretch"
    if outcome is None:
        outcome = whole_turn(tokens.text, slotted.text if hit else None, hit, step, index, context)
    if isinstance(outcome, NoMatch) and tokens.words[0] in WHY_WORDS:  # asks about, not for, a body part
        outcome = question(tokens, index, context) or outcome
    if about_a_subject(outcome, hit, index):
        outcome = by_subject(tokens, index, hit) or outcome
    if isinstance(outcome, NoMatch):
        outcome = question(tokens, index, context) or outcome
    return outcome


def _off_topic(tokens: Tokens, index: RouterIndex) -> bool:
    """ "what time is it", "set a timer for the oven": close to a command, about something else."""
    words = tokens.words
    return any(tuple(words[i : i + len(p)]) == p for p in index.talk.off_topic for i in range(len(words) - len(p) + 1))


def _logged(plain: str, outcome: Outcome) -> Outcome:
    log.debug("route %r -> %r", plain, outcome)
    return outcome


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
            return Match(spot.intent, spot.score, current, resolve_step(step, current, index))
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
    used_slot = uses_slot(slotted, spot.start, spot.end)
    if used_slot and hit is not None and modified(slotted, hit, index):
        return other_exercise(spot.intent, spot.score, hit, index)
    exercise_hit = hit if used_slot or (hit and len(hit.slugs) == 1 and spot.intent in CONTENT_INTENTS) else None
    if spot.intent is Intent.START_EXERCISE and exercise_hit is None:
        return None
    if spot.intent not in (Intent.GOTO_STEP, Intent.READ_STEP):
        step = None
    return with_exercise(spot.intent, spot.score, exercise_hit, step, index, context)


def _narration(tokens: Tokens, hit: ExerciseHit | None, index: RouterIndex, context: Context) -> Outcome | None:
    """ "i'm on my back now", "my hands are under my shoulders": nothing asked, nothing to stop."""
    if not context.current_exercise or (hit is not None and not hit.generic):
        return None
    if tokens.words[0] in WH_WORDS:  # "why would my hip flexor get tight?": a question, not narration
        return None
    if all(w in index.harmless or w.isdigit() for w in tokens.words):
        return Match(Intent.ACKNOWLEDGE, NARRATION_SCORE)
    return None
