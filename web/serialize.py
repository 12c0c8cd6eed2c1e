"""A Turn as JSON: the one place the reply's shape is written. No side effects.

Audio URLs come in ready-made (`audio`, speech text -> URL, from `audio.prefetch`), so building
the JSON never starts synthesis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from assistant.conversation import OFFER_LABELS, Message, Timer, Turn, Understood
from content import Library

__all__ = ["spoken", "turn_json"]


def spoken(turn: Turn) -> tuple[str, ...]:
    """Every text the turn may speak: its messages, then the counts of a hold it starts."""
    counts = turn.timer.counts if turn.timer else ()
    return tuple(dict.fromkeys([*(m.speech for m in turn.messages), *(c.message.speech for c in counts)]))


def turn_json(turn: Turn, *, session: str, library: Library, audio: Mapping[str, str]) -> dict[str, Any]:
    view = turn.view
    return {
        **_understood_json(turn.understood, library),
        "session": session,
        "messages": [_message_json(m, audio) for m in turn.messages],
        "progress": asdict(view.progress) if view.progress else None,
        "suggestions": list(view.suggestions),
        "offers": [{"intent": o.value, "label": OFFER_LABELS[o]} for o in view.offers],
        "listening": turn.listening.value,
        "rate": turn.state.rate,
        "timer": _timer_json(turn.timer, audio),
        "cancel_timer": turn.cancel_timer,
        "pause_timer": turn.pause_timer,
        "resume_timer": turn.resume_timer,
    }


def _understood_json(reading: Understood, library: Library) -> dict[str, Any]:
    """What the turn was understood as: {"intent", "exercise" (title), "step", "total_steps"}."""
    exercise = library.exercise(reading.exercise) if reading.exercise else None
    return {
        "intent": reading.intent.value,
        "exercise": exercise.title if exercise else None,
        "step": reading.step if exercise else None,
        "total_steps": reading.total_steps if exercise else None,
    }


def _message_json(message: Message, audio: Mapping[str, str]) -> dict[str, Any]:
    return {
        "kind": message.kind.value,
        "text": message.text,
        "speech": message.speech,
        "audio": audio.get(message.speech),
        "heading": message.heading,
        "body": message.body,
    }


def _timer_json(timer: Timer | None, audio: Mapping[str, str]) -> dict[str, Any] | None:
    """A hold to count: the page speaks each count at `at` seconds after it starts."""
    if timer is None:
        return None
    counts = [{"at": c.at, **_message_json(c.message, audio)} for c in timer.counts]
    return {"seconds": timer.seconds, "counts": counts}
