"""Fuzz the live server: hypothesis generates requests across every endpoint (JSON bodies of
any shape, WAV-like and random bytes, odd methods, headers, ranges, broken framing) and sends
them over loopback; every answer must be below 500. Stops after --requests.

    python -m benchmarks.fuzz_bench [--requests 10000]
"""

from __future__ import annotations

import argparse
import collections
import json
import socket
import time
from typing import Final

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .live_server import live_server

TIMEOUT = 30.0
PATHS = (
    "/",
    "/healthz",
    "/api/chat",
    "/api/listen",
    "/api/articles",
    "/api/speech/" + "a" * 64 + ".wav",
    "/api/speech/../x.wav",
    "/static/js/main.js",
    "/nope",
    "/api/chat?session=x",
    "/%ff",
    "/api/speech/",
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
chat_bodies = st.fixed_dictionaries(
    {},
    optional={
        "message": st.one_of(
            st.text(max_size=80), st.sampled_from(["next", "cobra stretch", "start timer"]), json_values
        ),
        "session": st.one_of(st.none(), st.text(max_size=60), json_values),
        "rate": st.one_of(st.integers(), st.floats(), st.sampled_from(["slow", "fast", "1e999", "200"]), json_values),
    },
).map(lambda body: json.dumps(body).encode())
wav_like = st.binary(max_size=200).map(lambda tail: b"RIFF\x24\x00\x00\x00WAVEfmt " + tail)
bodies = st.one_of(
    chat_bodies,
    json_values.map(lambda v: json.dumps(v).encode()),
    wav_like,
    st.binary(max_size=300),
    st.integers(1, 3000).map(lambda depth: b"[" * depth + b"]" * depth),
)
framings = st.sampled_from(["length", "chunked", "bad chunk", "short", "none"])


def frame(method: str, path: str, body: bytes, content_type: str, framing: str, extra: list[tuple[str, str]]) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Type: {content_type}"]
    head += [f"{name}: {value}" for name, value in extra]
    if framing == "length":
        head.append(f"Content-Length: {len(body)}")
        payload = body
    elif framing == "short":  # declares more than it sends, then closes
        head.append(f"Content-Length: {len(body) + 10}")
        payload = body
    elif framing == "chunked":
        head.append("Transfer-Encoding: chunked")
        payload = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
    elif framing == "bad chunk":
        head.append("Transfer-Encoding: chunked")
        payload = b"zz\r\n" + body + b"\r\n0\r\n\r\n"
    else:
        payload = b""
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1", "replace") + payload


def send(port: int, data: bytes, *, half_close: bool) -> int | None:
    """The status of the answer, or None when the server closed without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
            answer = sock.recv(64)
        except (ConnectionResetError, BrokenPipeError):
            return None
    parts = answer.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


METHODS: Final = ("GET", "POST", "POST", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "BREW")
CONTENT_TYPES: Final = ("application/json", "audio/wav", "audio/x-wav", "text/plain", "", "x/y")
EXTRA_HEADERS: Final = (
    ("X-Session", "abc"),
    ("X-Session", "x" * 5000),
    ("Range", "bytes=0-10"),
    ("Range", "bytes=9999999-"),
    ("Range", "bytes=zz"),
    ("If-None-Match", '"a"'),
    ("Origin", "http://evil.example"),
    ("Accept", "*/*"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    options = parser.parse_args()
    statuses: collections.Counter[int | None] = collections.Counter()
    server_errors: list[bytes] = []
    with live_server() as (port, _):
        started = time.monotonic()
        _fuzz(port, options.requests, statuses, server_errors)
        elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(f"fuzz: {total} generated requests in {elapsed:.0f} s across {len(PATHS)} paths")
    print(f"  statuses: {dict(sorted(statuses.items(), key=lambda item: (item[0] is None, item[0] or 0)))}")
    print(f"  responses >= 500: {len(server_errors)}")
    for example in server_errors[:5]:
        print("   ", example)


def _fuzz(port: int, requests: int, statuses: collections.Counter[int | None], server_errors: list[bytes]) -> None:
    """Send `requests` generated requests; count each status, keep those answered 5xx."""

    @settings(
        max_examples=requests,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        method=st.sampled_from(METHODS),
        path=st.sampled_from(PATHS),
        body=bodies,
        content_type=st.sampled_from(CONTENT_TYPES),
        framing=framings,
        extra=st.lists(st.sampled_from(EXTRA_HEADERS), max_size=3),
    )
    def one(method, path, body, content_type, framing, extra):
        data = frame(method, path, body, content_type, framing, extra)
        status = send(port, data, half_close=framing == "short")
        statuses[status] += 1
        if status is not None and status >= 500:
            server_errors.append(data[:300])

    one()


if __name__ == "__main__":
    main()
