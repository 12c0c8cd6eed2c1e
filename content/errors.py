"""What goes wrong with content: a page that cannot be turned into an article."""

from __future__ import annotations

from errors import AssistantError

__all__ = ["AssistantError", "ContentError"]


class ContentError(AssistantError):
    """A page that cannot be turned into an article."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        """The file (or label) the page came from."""
        self.reason = reason
        """Why it was rejected, in words a content author understands."""
