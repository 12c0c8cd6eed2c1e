"""Listening flood: N clients loop on /api/listen with maximum-length recordings while one
client times chat turns. Loopback only; stops after --seconds.

    python -m benchmarks.listen_flood [--clients 16] [--seconds 30]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import threading
import time

import numpy as np

from assistant.listening import MAX_AUDIO_SECONDS

from .audio import to_wav
from .live_server import live_server
from .stats import percentile

HANG_SECONDS = 30.0
"""A listen answer slower than this counts as a hang (a full decode takes about a second)."""
RATE = 16000


def longest_recording() -> bytes:
    """MAX_AUDIO_SECONDS of noise bursts: loud enough and varied enough to be decoded in full."""
    rng = np.random.default_rng(14)
    bursts = np.repeat(rng.random(MAX_AUDIO_SECONDS * 4) > 0.5, RATE // 4)
    samples = rng.standard_normal(len(bursts)) * 0.1 * (0.05 + bursts)
    return to_wav(samples, RATE)


def post(port: int, path: str, body: bytes, content_type: str, timeout: float) -> tuple[float, int | None]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": content_type})
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    except OSError:
        return time.perf_counter() - started, None
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0)
    options = parser.parse_args()
    recording = longest_recording()
    statuses: collections.Counter[int | None] = collections.Counter()
    listen_times: list[float] = []
    chat_times: list[float] = []
    with live_server(env={"ASSISTANT_SPEECH": "0"}) as (port, _):
        deadline = time.monotonic() + options.seconds

        def listener() -> None:
            while time.monotonic() < deadline:
                elapsed, status = post(port, "/api/listen", recording, "audio/wav", HANG_SECONDS)
                statuses[status] += 1
                listen_times.append(elapsed)
                if status == 503:
                    time.sleep(0.05)  # a client that honours nothing, but does not spin

        threads = [threading.Thread(target=listener) for _ in range(options.clients)]
        for thread in threads:
            thread.start()
        body = json.dumps({"message": "how do I do the cobra stretch"}).encode()
        while time.monotonic() < deadline:
            elapsed, status = post(port, "/api/chat", body, "application/json", HANG_SECONDS)
            chat_times.append(elapsed)
            statuses[f"chat {status}"] += 1
            time.sleep(0.02)
        for thread in threads:
            thread.join(HANG_SECONDS + 5)
    looping = f"{options.clients} clients looping on /api/listen"
    print(f"{looping} with {MAX_AUDIO_SECONDS} s recordings, {options.seconds:.0f} s")
    _report(chat_times, listen_times, statuses)


def _report(chat_times: list[float], listen_times: list[float], statuses: collections.Counter) -> None:
    print(
        f"  chat: n={len(chat_times)} p50 {percentile(chat_times, 0.5) * 1000:.1f} ms,"
        f" p99 {percentile(chat_times, 0.99) * 1000:.1f} ms, max {max(chat_times) * 1000:.1f} ms"
    )
    decoded = [t for t in listen_times if t > 0.1]
    print(
        f"  answers: {dict(statuses)}; listen hangs (>= {HANG_SECONDS:.0f} s):"
        f" {sum(t >= HANG_SECONDS for t in listen_times)}"
    )
    if decoded:
        print(f"  listen answers that decoded: p50 {percentile(decoded, 0.5):.2f} s, max {max(decoded):.2f} s")


if __name__ == "__main__":
    main()
