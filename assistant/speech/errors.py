"""What can go wrong with speech: a bad request from the caller, or audio that cannot be made just now."""

from __future__ import annotations

from errors import AssistantError

__all__ = ["InvalidSpeechRequest", "SpeechError", "SpeechUnavailable"]


class SpeechError(AssistantError):
    """Base of every error this module raises."""


class InvalidSpeechRequest(SpeechError, ValueError):
    """A bad rate, voice, timeout or text from the caller."""


class SpeechUnavailable(SpeechError):
    """No speech engine or no audio output on this machine."""
