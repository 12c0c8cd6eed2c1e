"""A conversation's state as plain data, for the signed session token (no server memory)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from errors import AssistantError
from intents import Intent

from .state import RATES, DialogueState

__all__ = ["SessionError", "state_from_dict", "state_to_dict"]


class SessionError(AssistantError):
    """A session token's state that does not fit a conversation (a wrong shape, an odd field)."""


def state_to_dict(state: DialogueState) -> dict[str, Any]:
    data = asdict(state)
    data["pending"] = list(state.pending)
    data["pending_intent"] = state.pending_intent.value if state.pending_intent else None
    return data


def state_from_dict(data: object) -> DialogueState:
    """Rebuild a state, checking every field's type; raise SessionError on anything odd."""
    if not isinstance(data, dict) or set(data) - {f.name for f in fields(DialogueState)}:
        raise SessionError("session state has an unexpected shape")
    try:
        state = DialogueState(
            exercise=_optional_str(data.get("exercise")),
            step=_int(data.get("step", 0)),
            last_exercise=_optional_str(data.get("last_exercise")),
            pending=tuple(_str(p) for p in data.get("pending", ())),
            pending_intent=Intent(data["pending_intent"]) if data.get("pending_intent") else None,
            pending_step=_int(data["pending_step"]) if data.get("pending_step") is not None else None,
            rate=_str(data.get("rate", "normal")),
            timing=bool(data.get("timing", False)),
            reps=_int(data.get("reps", 0)),
            paused=_bool(data.get("paused", False)),
            last_step=_int(data.get("last_step", 0)),
            after_pain=_bool(data.get("after_pain", False)),
        )
    except (TypeError, ValueError) as error:
        raise SessionError(f"session state is invalid: {error}") from error
    if state.rate not in RATES or min(state.step, state.reps, state.last_step) < 0:
        raise SessionError("session state is invalid")
    return state


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def _optional_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value
