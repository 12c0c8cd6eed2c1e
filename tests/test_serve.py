"""`make run`'s server (serve.py over waitress): slow and hostile clients hold no thread, its own
error pages are JSON with the security headers, and 413 however a large body is framed."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parent.parent
SOCKET_WAIT = 20.0
"""Generous bound on any one answer, so a hang fails the test instead of blocking the run."""


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[int]:
    """A real `python -m serve` with 2 threads (so 2 stalled clients would hold them all), its port."""
    env = {
        **os.environ,
        "ASSISTANT_SECRET_KEY": TEST_SECRET,
        "ASSISTANT_SPEECH": "0",
        "ASSISTANT_LISTEN": "0",
        "ASSISTANT_SPEECH_CACHE": str(tmp_path_factory.mktemp("speech")),
    }
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with log.open("w") as stream:  # a file, not a pipe nobody drains, which would block its logging
        process = subprocess.Popen(
            [sys.executable, "-m", "serve", "--port", "0", "--threads", "2"], cwd=ROOT, env=env, stderr=stream
        )
    deadline = time.monotonic() + SOCKET_WAIT
    while not (found := re.search(r"serving on http://127\.0\.0\.1:(\d+)", log.read_text())):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    yield int(found.group(1))
    process.terminate()
    process.wait(SOCKET_WAIT)


def raw(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` bytes as they are; the status, headers and body of the answer."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=SOCKET_WAIT) as sock:
        for start in range(0, len(request), 65536):  # it may answer 413 before we have sent it all
            try:
                sock.sendall(request[start : start + 65536])
            except (BrokenPipeError, ConnectionResetError):
                break
            if start > 1 << 20 and not data:
                sock.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    data += sock.recv(65536)
                sock.setblocking(True)
                sock.settimeout(SOCKET_WAIT)
            if data:
                break
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def healthz(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SOCKET_WAIT)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


def test_stalled_uploads_beyond_the_thread_count_leave_the_server_answering(server):
    with contextlib.ExitStack() as stack:
        for _ in range(10):  # five times its two threads
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", server), timeout=SOCKET_WAIT))
            sock.sendall(
                b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
            )
        assert healthz(server) == 200
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=SOCKET_WAIT)
        connection.request(
            "POST", "/api/chat", json.dumps({"message": "cobra stretch"}), {"Content-Type": "application/json"}
        )
        answer = connection.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["messages"]
        connection.close()


@pytest.mark.parametrize(
    ("name", "request_bytes", "status"),
    [
        ("bad chunk size", b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
        (
            "chunked over the limit",
            b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % (7 << 20) + b"x" * (7 << 20),
            413,
        ),
        ("declared over the limit", b"Content-Length: 7340032\r\n\r\n{", 413),
    ],
)
def test_the_servers_own_errors_are_json_with_security_headers(server, name, request_bytes, status):
    head = b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    code, headers, body = raw(server, head + request_bytes)
    assert code == status, name
    assert headers["Content-Type"] == "application/json"
    assert "error" in json.loads(body)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_oversized_headers_are_refused_not_served(server):
    code, headers, body = raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
    assert code == 431 and "error" in json.loads(body)
    assert headers["X-Frame-Options"] == "DENY"
