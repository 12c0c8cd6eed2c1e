"""python -m intents "how do I do the cobra stretch"   |   python -m intents --batch < utterances.txt

Prints one JSON object per utterance: {"intent", "exercise", "step", "total_steps", "score",
"candidates"}, the same reading POST /api/chat reports.
Uses the content folder of ASSISTANT_CONTENT_DIR (default content/articles/).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from content import DEFAULT_CONTENT_DIR, Library, load_library

from . import Ambiguous, Context, Match, NoMatch, Outcome, build_index, route


def to_json(outcome: Outcome, library: Library) -> dict:
    """The command line's (and the docs') view of an outcome: exercise titles, not slugs."""

    def title(slug: str | None) -> str | None:
        exercise = library.exercise(slug) if slug else None
        return exercise.title if exercise else None

    if isinstance(outcome, NoMatch):
        return {
            "intent": "out_of_scope",
            "exercise": None,
            "step": None,
            "total_steps": None,
            "score": round(outcome.score, 1),
            "candidates": [],
        }
    slug = outcome.exercise if isinstance(outcome, Match) else None
    exercise = library.exercise(slug) if slug else None
    candidates = [title(s) for s in outcome.candidates] if isinstance(outcome, Ambiguous) else []
    return {
        "intent": outcome.intent.value,
        "exercise": exercise.title if exercise else None,
        "step": outcome.step,
        "total_steps": len(exercise.steps) if exercise else None,
        "score": round(outcome.score, 1),
        "candidates": candidates,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m intents", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("utterance", nargs="*", help="what someone typed or said")
    parser.add_argument("--batch", action="store_true", help="read one utterance per line from stdin")
    parser.add_argument("--exercise", help="slug of the exercise in progress (context)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log routing decisions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    if not args.batch and not args.utterance:
        parser.error("give an utterance, or --batch")
    library = load_library(os.environ.get("ASSISTANT_CONTENT_DIR", DEFAULT_CONTENT_DIR))
    index = build_index(library)
    context = Context(current_exercise=args.exercise)
    lines = sys.stdin if args.batch else [" ".join(args.utterance)]
    for line in lines:
        print(json.dumps(to_json(route(line.rstrip("\n"), index, context), library)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
