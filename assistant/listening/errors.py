"""What can go wrong when listening; each kind says why, and the web adapter alone maps it to HTTP."""

from __future__ import annotations

from errors import AssistantError

__all__ = ["DamagedRecording", "ListenBusy", "ListenError", "NotARecording", "RecognizerError", "RecordingTooLarge"]


class ListenError(AssistantError):
    """A recording we cannot listen to; its message says what to do about it."""


class NotARecording(ListenError):
    """Not a WAV file, or one encoded in a way we do not read."""


class RecordingTooLarge(ListenError):
    """More bytes or seconds than a spoken command."""


class DamagedRecording(ListenError):
    """Cut short or inconsistent: empty, a header that does not add up, audio missing."""


class ListenBusy(ListenError):
    """Every decoder is busy and the queue is full, or decoding is unavailable: try later."""


class RecognizerError(ListenError):
    """A recogniser that could hear nothing it was asked to: no phrase it can pronounce."""
