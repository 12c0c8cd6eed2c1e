"""Understanding: normalise what people type or say and route it to intents and exercises.

    outcome = route(text, build_index(library), Context(current_exercise=slug))

outcomes.py holds the results, index.py what routing is built from, router.py the order of
decisions; pain.py (first, on every turn), naming.py (the exercise named), asking.py (body
parts, descriptions, questions), scoring.py (the whole turn against the phrasings) and
weighing.py (the learned model) each decide one thing. The data is in the .toml files.
"""

from .index import RouterIndex, build_index
from .normalize import normalize
from .outcomes import Ambiguous, Context, Match, NoMatch, Outcome, Thresholds
from .router import route
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
