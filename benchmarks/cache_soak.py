"""Speech cache soak: one client cycles speaking rates and messages, fetching every reply's
audio, against a server with a small cache bound. The cache's disk use is sampled; an audio URL
handed out after the first minute (or a tenth of the run) is fetched again at the end.
Loopback only; stops after --minutes.

    python -m benchmarks.cache_soak [--minutes 10] [--cache-mb 20]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path

from .live_server import live_server

MESSAGES = (
    "how do I do the cobra stretch",
    "next",
    "next",
    "repeat",
    "back",
    "go to step 4",
    "start timer",
    "lying hip stretch",
    "next",
    "leg raises",
    "next",
    "next",
    "what do I need",
    "is this safe",
)
RATES = (*range(80, 321, 9), "slow", "normal", "fast")
SAMPLE_EVERY = 5.0


def disk_use(folder: Path) -> int:
    total = 0
    for path in folder.iterdir():
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        total += max(info.st_size, info.st_blocks * 512)
    return total


def request(connection: http.client.HTTPConnection, method: str, path: str, body: str | None = None):
    connection.request(method, path, body, {"Content-Type": "application/json"} if body else {})
    response = connection.getresponse()
    return response.status, response.read()


@dataclass
class Soak:
    turns: int = 0
    fetched: int = 0
    failed: int = 0
    largest: int = 0
    kept: str | None = None
    """An audio URL handed out early on, fetched again at the end."""
    kept_at: float = 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--cache-mb", type=float, default=20.0)
    options = parser.parse_args()
    bound = int(options.cache_mb * 1e6)
    seconds = options.minutes * 60
    env = {"ASSISTANT_LISTEN": "0", "ASSISTANT_SPEECH_CACHE_MB": str(options.cache_mb)}
    with live_server(env=env) as (port, folder):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.monotonic()
        soak = _soak(connection, folder / "speech", started, seconds, keep_at=min(60.0, seconds / 10))
        code, data = request(connection, "GET", soak.kept) if soak.kept else (None, b"")
        elapsed = time.monotonic() - started
    cycled = f"{soak.turns} chat turns cycling {len(RATES)} rates"
    print(f"cache soak: {elapsed / 60:.1f} min, bound {bound / 1e6:.0f} MB, {cycled}")
    print(f"  audio fetched: {soak.fetched}, failed: {soak.failed}")
    print(f"  largest disk use sampled: {soak.largest / 1e6:.1f} MB ({100 * soak.largest / bound:.0f}% of the bound)")
    if soak.kept:
        print(
            f"  URL handed out at {soak.kept_at / 60:.1f} min, fetched again at {elapsed / 60:.1f} min:"
            f" {code}, WAV {data[:4] == b'RIFF'}"
        )


def _soak(
    connection: http.client.HTTPConnection, cache: Path, started: float, seconds: float, *, keep_at: float
) -> Soak:
    """Chat turns cycling messages and rates for `seconds`, fetching every reply's audio."""
    soak, session, next_sample = Soak(), None, 0.0
    for message, rate in zip(itertools.cycle(MESSAGES), itertools.cycle(RATES)):
        now = time.monotonic() - started
        if now >= seconds:
            break
        body = json.dumps({"message": message, "session": session, "rate": rate})
        reply = json.loads(request(connection, "POST", "/api/chat", body)[1])
        soak.turns += 1
        session = reply.get("session")
        for item in reply.get("messages", []):
            if item.get("audio"):
                code, data = request(connection, "GET", item["audio"])
                soak.fetched += 1
                soak.failed += code != 200 or data[:4] != b"RIFF"
                if soak.kept is None and now >= keep_at:
                    soak.kept, soak.kept_at = item["audio"], now
        if now >= next_sample:
            soak.largest = max(soak.largest, disk_use(cache))
            next_sample = now + SAMPLE_EVERY
    soak.largest = max(soak.largest, disk_use(cache))
    return soak


if __name__ == "__main__":
    main()
