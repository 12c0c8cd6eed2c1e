"""The slots phrasings are written with, in one place: "how do i do the {exercise}", "go to {step}"."""

from __future__ import annotations

from typing import Final

__all__ = ["EXERCISE_SLOT", "STEP_SLOT"]

EXERCISE_SLOT: Final = "{exercise}"
"""Any exercise's name."""
STEP_SLOT: Final = "{step}"
"""A step, by number or position ("step three", "the last step")."""
