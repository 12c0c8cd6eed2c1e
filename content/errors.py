"""The project's one exception tree: every error we raise on purpose is an AssistantError."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class ContentError(AssistantError):
    """A page that cannot be turned into an article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        """The file (or label) the page came from."""
        self.reason = reason
        """Why it was rejected, in words a content author understands."""
