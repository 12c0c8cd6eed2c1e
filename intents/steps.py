"""Step mentions in a turn ("go to step 3", "the last step", "step for"): found, replaced by the
{step} slot, and their number read. Pure."""

from __future__ import annotations

import re
from typing import Final

from content.numbers import ORDINAL_WORDS, UNIT_WORDS

from .clauses import Tokens
from .slots import STEP_SLOT

__all__ = ["LAST_STEP", "extract_step"]

LAST_STEP: Final = -1  # "last step" when no exercise is known to say how many steps there are
STEP_WORDS: Final = {UNIT_WORDS[1]: 1, ORDINAL_WORDS[1]: 1, "1": 1, "last": LAST_STEP, "final": LAST_STEP}
# Speech recognisers hear "step two" as "step to" and "step four" as "step for".
STEP_HOMOPHONES: Final = {"to": 2, "too": 2, "for": 4, "won": 1, "ate": 8}
STEP_MENTION: Final = re.compile(
    r"\bstep (?:number )?(?P<after>\d+|one|first|last|final)\b"
    r"|\b(?P<before>\d+|first|last|final) step\b"
    r"|\bstep (?P<heard>to|too|for|won|ate)(?= of\b|$)"
)


# A bare number after a correction, once a step was mentioned: "step two, no, three".
CORRECTED: Final = re.compile(
    r"\{step\} (?:no|sorry|i mean|actually|make that|or rather)(?: no)? (?P<fixed>\d+|one|first|last)$"
)


def extract_step(tokens: Tokens) -> tuple[Tokens, int | None]:
    """Replace each step mention by the {step} slot: "go to 3 step" -> "go to step {step}", 3.
    The last mention is the step meant: "go to step 2, sorry, step 3" -> 3."""
    number = None
    while found := STEP_MENTION.search(tokens.text):
        word = found.group("after") or found.group("before") or found.group("heard")
        number = STEP_WORDS.get(word) or STEP_HOMOPHONES.get(word) or int(word)
        start = len(tokens.text[: found.start()].split())
        end = start + len(found.group(0).split())
        tokens = tokens.replace(start, end, ("step", STEP_SLOT))
    if number is not None and (fixed := CORRECTED.search(tokens.text)):
        word = fixed.group("fixed")  # "go to step two no three": the number said last
        number = STEP_WORDS.get(word) or int(word)
    return tokens, number
