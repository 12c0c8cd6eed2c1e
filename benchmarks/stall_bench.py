"""Stalled uploads: N clients send a request's headers and one byte of a 100-byte body, then
nothing, while /healthz and a chat turn are timed. Loopback only; stops after --seconds.

    python -m benchmarks.stall_bench [--stalled 100] [--seconds 60]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import time

from .live_server import live_server
from .stats import percentile

HANG_SECONDS = 5.0
"""An answer slower than this counts as a hang (a healthy one takes milliseconds)."""
PROBE_INTERVAL = 0.05
STALL = b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"


def timed(port: int, method: str, path: str, body: str | None = None) -> tuple[float, int | None]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_SECONDS)
    try:
        connection.request(method, path, body, {"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    except OSError:
        return time.perf_counter() - started, None
    finally:
        connection.close()


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stalled", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    options = parser.parse_args()
    with live_server(env={"ASSISTANT_LISTEN": "0"}) as (port, _):
        stalled = [socket.create_connection(("127.0.0.1", port), timeout=HANG_SECONDS) for _ in range(options.stalled)]
        for sock in stalled:
            sock.sendall(STALL)
        health: list[float] = []
        turns: list[float] = []
        hangs = failures = 0
        chat = json.dumps({"message": "how do I do the cobra stretch", "session": None})
        deadline = time.monotonic() + options.seconds
        while time.monotonic() < deadline:
            for samples, (method, path, body) in (
                (health, ("GET", "/healthz", None)),
                (turns, ("POST", "/api/chat", chat)),
            ):
                elapsed, status = timed(port, method, path, body)
                samples.append(elapsed)
                hangs += elapsed >= HANG_SECONDS
                failures += status != 200
            time.sleep(PROBE_INTERVAL)
        dropped = sum(closed_by_server(sock) for sock in stalled)
        for sock in stalled:
            sock.close()
    print(f"{options.stalled} stalled uploads held for {options.seconds:.0f} s (loopback, waitress)")
    for name, samples in (("/healthz", health), ("chat turn", turns)):
        print(
            f"  {name}: n={len(samples)} p50 {percentile(samples, 0.5) * 1000:.1f} ms,"
            f" p99 {percentile(samples, 0.99) * 1000:.1f} ms, max {max(samples) * 1000:.1f} ms"
        )
    print(f"  hangs (>= {HANG_SECONDS:.0f} s): {hangs}; non-200 answers: {failures}")
    print(f"  stalled connections closed by the server's idle timeout by the end: {dropped} of {options.stalled}")


if __name__ == "__main__":
    main()
