"""The project's one exception tree, below every layer: each layer raises its own subclasses.

    AssistantError
    ├── content.ContentError        a page that cannot be turned into an article
    ├── intents.PhrasingsError      a phrasings file that is not what routing needs
    ├── assistant.conversation.SessionError   a session token's state that does not fit
    ├── assistant.speech.SpeechError          (InvalidSpeechRequest, SpeechUnavailable)
    ├── assistant.listening.ListenError       (NotARecording, RecordingTooLarge, DamagedRecording,
    │                                          ListenBusy, and RecognizerError for a grammar it cannot hear)
    └── app.ConfigError             a setting the server cannot start with

No error knows an HTTP status: web/errors.py alone maps them.
"""

from __future__ import annotations

__all__ = ["AssistantError"]


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""
