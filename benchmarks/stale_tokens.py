"""Stale session tokens: tokens made at every step of every exercise (and with a timer running,
and a "which one?" pending) are replayed with every guidance command against the app after an
edit of the articles that shortens, renames or removes each exercise in turn. Counts answers
>= 500 and replies that do not make sense (no message, progress past the end). In-process.

    python -m benchmarks.stale_tokens
"""

from __future__ import annotations

import collections
import re
import tempfile
from pathlib import Path

from app import create_app
from content import DEFAULT_CONTENT_DIR, load_library

from .live_server import BENCH_SECRET

COMMANDS = (
    "next",
    "back",
    "repeat",
    "start timer",
    "stop timer",
    "done",
    "start over",
    "what step am I on",
    "the first one",
    "how long do I hold it",
    "stop",
    "ouch that hurts",
    "go to step 3",
)
CONFIG = {"TESTING": True, "SPEECH_ENABLED": False, "LISTEN_ENABLED": False, "SECRET_KEY": BENCH_SECRET}


def chat(client, message: str, session: str | None) -> dict:
    response = client.post("/api/chat", json={"message": message, "session": session})
    return {"status": response.status_code, **(response.get_json() or {})}


def tokens(client, library) -> list[str]:
    made = [chat(client, "go to step 2", None)["session"]]  # "which one?"
    for exercise in library.exercises:
        session = chat(client, f"how do I do the {exercise.title}", None)["session"]
        for _ in exercise.steps:
            made.append(session)
            made.append(chat(client, "start timer", session)["session"])
            session = chat(client, "next", session)["session"]
    return made


def edits(text: str, library) -> dict[str, str]:
    """Each edit of the seed page: each exercise cut to its first two steps, renamed, removed."""
    out = {}
    lines = text.splitlines(keepends=True)
    for exercise in library.exercises:
        start = next(i for i, line in enumerate(lines) if line.strip() == exercise.title)
        numbered = [i for i in range(start, len(lines)) if re.match(r"\s*\d+\.\s", lines[i])]
        block = numbered[: len(exercise.steps)]
        drop_steps = set(block[2:])
        out[f"shorten {exercise.title} to 2 steps"] = "".join(x for i, x in enumerate(lines) if i not in drop_steps)
        out[f"rename {exercise.title}"] = text.replace(exercise.title, exercise.title + " Variation")
        drop_all = {start, *block}
        out[f"remove {exercise.title}"] = "".join(x for i, x in enumerate(lines) if i not in drop_all)
    return out


def main() -> None:
    library = load_library(DEFAULT_CONTENT_DIR)
    before = create_app(dict(CONFIG)).test_client()
    stale = tokens(before, library)
    [page] = sorted(DEFAULT_CONTENT_DIR.glob("*.txt"))
    counts: collections.Counter[str] = collections.Counter()
    for name, text in edits(page.read_text(encoding="utf-8"), library).items():
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, page.name).write_text(text, encoding="utf-8")
            edited = load_library(Path(folder))
            shape = ", ".join(f"{e.title} {len(e.steps)}" for e in edited.exercises)
            print(f"  {name}: {shape}")
            after = create_app({**CONFIG, "CONTENT_DIR": folder}).test_client()
            for token in stale:
                for command in COMMANDS:
                    reply = chat(after, command, token)
                    counts["requests"] += 1
                    counts[">= 500"] += reply["status"] >= 500
                    progress = reply.get("progress")
                    sensible = (
                        reply["status"] == 200 and reply.get("messages") and all(m["text"] for m in reply["messages"])
                    )
                    sensible = sensible and (progress is None or 1 <= progress["step"] <= progress["total"])
                    counts["not sensible"] += not sensible
                    counts["repaired with a notice"] += (
                        bool(reply.get("messages")) and "since we last talked" in reply["messages"][0]["text"]
                    )
        counts["edits"] += 1
    print(
        f"stale tokens: {len(stale)} tokens x {len(COMMANDS)} commands x {counts['edits']} edits"
        f" = {counts['requests']} requests"
    )
    print(f"  answers >= 500: {counts['>= 500']}; replies that make no sense: {counts['not sensible']}")
    print(f"  replies opening with a repair notice: {counts['repaired with a notice']}")


if __name__ == "__main__":
    main()
