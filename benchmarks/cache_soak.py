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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--cache-mb", type=float, default=20.0)
    options = parser.parse_args()
    bound = int(options.cache_mb * 1e6)
    seconds = options.minutes * 60
    keep_at = min(60.0, seconds / 10)
    with live_server(env={"ASSISTANT_LISTEN": "0", "ASSISTANT_SPEECH_CACHE_MB": str(options.cache_mb)}) as (
        port,
        folder,
    ):
        cache = folder / "speech"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.monotonic()
        kept: str | None = None
        session = None
        turns = fetched = failed = 0
        largest = 0
        next_sample = 0.0
        for message, rate in zip(itertools.cycle(MESSAGES), itertools.cycle(RATES)):
            now = time.monotonic() - started
            if now >= seconds:
                break
            status, body = request(
                connection, "POST", "/api/chat", json.dumps({"message": message, "session": session, "rate": rate})
            )
            turns += 1
            reply = json.loads(body)
            session = reply.get("session")
            for item in reply.get("messages", []):
                if item.get("audio"):
                    code, data = request(connection, "GET", item["audio"])
                    fetched += 1
                    failed += code != 200 or data[:4] != b"RIFF"
                    if kept is None and now >= keep_at:
                        kept = item["audio"]
                        kept_at = now
            if now >= next_sample:
                largest = max(largest, disk_use(cache))
                next_sample = now + SAMPLE_EVERY
        largest = max(largest, disk_use(cache))
        code, data = request(connection, "GET", kept) if kept else (None, b"")
        elapsed = time.monotonic() - started
    print(
        f"cache soak: {elapsed / 60:.1f} min, bound {bound / 1e6:.0f} MB, {turns} chat turns cycling {len(RATES)} rates"
    )
    print(f"  audio fetched: {fetched}, failed: {failed}")
    print(f"  largest disk use sampled: {largest / 1e6:.1f} MB ({100 * largest / bound:.0f}% of the bound)")
    if kept:
        print(
            f"  URL handed out at {kept_at / 60:.1f} min, fetched again at {elapsed / 60:.1f} min:"
            f" {code}, WAV {data[:4] == b'RIFF'}"
        )


if __name__ == "__main__":
    main()
