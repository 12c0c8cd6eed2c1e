"""Scale-out, simulated: several servers, one conversation's turns sent to a different one each time.

    python -m benchmarks.multi_server                      # 3 servers, 30 conversations
    python -m benchmarks.multi_server --servers 4 --conversations 100

Each server is a real `python -m serve` on its own loopback port (separate processes, as on
separate hosts) given the same secret and the same speech cache folder. A client walks each
conversation through its turns, sending turn n to server (c + n) mod k, and checks every
reply: the step, the intent, the warning first, the audio of a reply fetched from yet another
server. Then the same with a cache folder per server, to show what sharing the cache buys.
Loopback only, bounded by the number of conversations.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .live_server import live_server
from .stats import percentile

SCRIPT: Final = (
    ("how do I do the cobra stretch", "start_exercise", 1),
    ("ok next", "next_step", 2),
    ("what step am I on", "progress", 2),
    ("next", "next_step", 3),
    ("go back", "previous_step", 2),
    ("how long do I hold it", "hold_duration", None),
    ("go to step 4", "goto_step", 4),
    ("my knee is killing me", "pain", None),
)
"""(what is said, the intent it must be understood as, the step it must leave the person on)."""


@dataclass
class Run:
    turns: int = 0
    errors: int = 0
    wrong: int = 0
    conversations_right: int = 0
    audio_fetched: int = 0
    audio_missing: int = 0
    times: list[float] | None = None


def post(port: int, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/chat", json.dumps(body), {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def fetch(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def converse(ports: list[int], number: int, run: Run) -> None:
    """One conversation, each turn to the next server; counts what went wrong."""
    session, right = None, True
    for turn, (said, intent, step) in enumerate(SCRIPT):
        port = ports[(number + turn) % len(ports)]
        started = time.perf_counter()
        status, reply = post(port, {"message": said, "session": session})
        run.times.append((time.perf_counter() - started) * 1000)
        run.turns += 1
        if status != 200:
            run.errors += 1
            right = False
            continue
        session = reply["session"]
        where = (reply.get("progress") or {}).get("step")
        ok = reply["intent"] == intent and (step is None or where == step)
        if turn == 0:
            ok = ok and reply["messages"][0]["kind"] == "warning"
        run.wrong += not ok
        right = right and ok
        audio = next((m["audio"] for m in reply["messages"] if m.get("audio")), None)
        if audio:  # fetched from another server than the one that handed it out
            run.audio_fetched += 1
            run.audio_missing += fetch(ports[(number + turn + 1) % len(ports)], audio) != 200
    run.conversations_right += right


@contextlib.contextmanager
def servers(count: int, shared: Path | None) -> Iterator[list[int]]:
    with contextlib.ExitStack() as stack:
        env = {"ASSISTANT_LISTEN": "0"}
        yield [stack.enter_context(live_server(env=env, shared=shared))[0] for _ in range(count)]


def simulate(count: int, conversations: int, shared: Path | None) -> Run:
    run = Run(times=[])
    with servers(count, shared) as ports:
        for number in range(conversations):
            converse(ports, number, run)
    return run


def report(title: str, run: Run, conversations: int) -> None:
    print(title)
    print(
        f"  {run.turns} turns: {run.errors} errors, {run.wrong} misread; conversations right when their turns "
        f"hop between servers: {run.conversations_right} of {conversations}"
    )
    print(
        f"  audio fetched from another server than the one that named it: {run.audio_fetched}, "
        f"not found there: {run.audio_missing}"
    )
    print(f"  chat p50 {percentile(run.times, 0.5):.1f} ms, p99 {percentile(run.times, 0.99):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coach-shared-") as shared:
        run = simulate(args.servers, args.conversations, Path(shared))
        report(f"{args.servers} servers sharing one secret and one speech cache:", run, args.conversations)
    apart = simulate(args.servers, max(3, args.conversations // 5), None)
    report(
        f"{args.servers} servers sharing the secret, each with its own speech cache:",
        apart,
        max(3, args.conversations // 5),
    )
    return 0 if run.errors == 0 and run.conversations_right == args.conversations else 1


if __name__ == "__main__":
    sys.exit(main())
