"""POST /api/chat under load, beside GET /healthz on the same server in the same run.

    python -m benchmarks.chat_load                     # 1, 8 and 32 connections, 8 s each
    python -m benchmarks.chat_load --seconds 20 --connections 32

A real `make run` server (waitress, loopback) and closed-loop clients on keep-alive
connections: each chat client walks realistic conversations carrying its token (start, next,
questions, back), each healthz client asks /healthz. Speech is on, as `make run` has it (audio
is asked for, not fetched). The clients share the 2 cores with the server, so these are floors.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Final

from .live_server import live_server
from .stats import percentile

TURNS: Final = (
    "how do I do the cobra stretch",
    "ok next",
    "what step am I on",
    "next",
    "go back",
    "how long do I hold it",
    "next step",
    "next",
    "thanks",
)
LEVELS: Final = (1, 8, 32)


def chat_client(port: int) -> Callable[[], bool]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    turns = itertools.cycle(TURNS)
    session: list[str | None] = [None]

    def one() -> bool:
        said = next(turns)
        if said == TURNS[0]:
            session[0] = None
        connection.request(
            "POST",
            "/api/chat",
            json.dumps({"message": said, "session": session[0]}),
            {"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        body = response.read()
        if response.status == 200:
            session[0] = json.loads(body)["session"]
        return response.status == 200

    return one


def health_client(port: int) -> Callable[[], bool]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def one() -> bool:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return response.status == 200

    return one


def load(
    make: Callable[[int], Callable[[], bool]], port: int, connections: int, seconds: float
) -> tuple[float, float, int]:
    """(requests per second, p99 ms, failures) of `connections` closed-loop clients."""
    times: list[float] = []
    failures = [0]
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client() -> None:
        one, mine = make(port), []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            ok = one()
            mine.append((time.perf_counter() - started) * 1000)
            failures[0] += not ok
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times) / seconds, percentile(times, 0.99), failures[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--connections", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--no-speech", action="store_true", help="turn speech off: what asking for audio costs")
    args = parser.parse_args(argv)
    env = {"ASSISTANT_LISTEN": "0", **({"ASSISTANT_SPEECH": "0"} if args.no_speech else {})}
    with live_server(env=env) as (port, _):
        load(chat_client, port, 2, 1.0)  # warm-up
        for connections in args.connections:
            chat = load(chat_client, port, connections, args.seconds)
            health = load(health_client, port, connections, args.seconds)
            share = chat[0] / health[0] if health[0] else float("nan")
            print(
                f"{connections:>3} connections: /api/chat {chat[0]:7.0f} req/s p99 {chat[1]:6.1f} ms ({chat[2]} failed)"
                f"   /healthz {health[0]:7.0f} req/s p99 {health[1]:6.1f} ms   chat at {share:.0%} of healthz",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
