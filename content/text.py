"""Text made plain ASCII, in one place: the same folding for slugs, routing and the speech grammar. Pure."""

from __future__ import annotations

import unicodedata

__all__ = ["ascii_fold"]


def ascii_fold(text: str) -> str:
    """Accents and other non-ASCII removed ("café" -> "cafe"); case and punctuation kept."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
