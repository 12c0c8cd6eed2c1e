"""Understanding: normalise what people type or say and route it to intents and exercises."""

from .normalize import normalize
from .router import (
    Ambiguous,
    Context,
    Match,
    NoMatch,
    Outcome,
    RouterIndex,
    Thresholds,
    build_index,
    route,
)
from .vocabulary import Intent, load_phrasings

__all__ = [
    "Ambiguous",
    "Context",
    "Intent",
    "Match",
    "NoMatch",
    "Outcome",
    "RouterIndex",
    "Thresholds",
    "build_index",
    "load_phrasings",
    "normalize",
    "route",
]
