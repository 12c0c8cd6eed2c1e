"""What routing says about an utterance: Match, Ambiguous or NoMatch, and what it is decided with."""

from __future__ import annotations

from dataclasses import dataclass

from .retrieval import Passage
from .vocabulary import Intent

__all__ = ["Ambiguous", "Context", "Match", "NoMatch", "Outcome", "Thresholds"]


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
