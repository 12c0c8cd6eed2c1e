"""`make run`: the app behind waitress, which defends itself against slow and hostile clients.

waitress reads every request (headers and body) in its one asynchronous I/O thread and hands
a request to a worker thread only once it is complete, so clients that send headers and then
stall hold a socket, never a thread. On top of that: connections idle for CHANNEL_TIMEOUT are
closed, at most CONNECTION_LIMIT are open, bodies over MAX_BODY_BYTES are refused with 413
however they are framed, and waitress's own error pages are JSON with our security headers.
Under real traffic put a reverse proxy in front (see the README).

    python -m serve [--host 127.0.0.1] [--port 5000] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from typing import Any, Final

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from app import NO_STORE, SECURITY_HEADERS, create_app

log = logging.getLogger(__name__)

THREADS: Final = 8
"""Worker threads: a chat turn takes a few ms and decoding runs elsewhere, so 8 stay ahead of
many clients; more would only contend for the GIL."""
CONNECTION_LIMIT: Final = 1000
"""Open connections waitress accepts (its default is 100): idle or stalled ones cost a socket and
a buffer each, never a thread, so a hundred stalled uploads leave room for everyone else."""
CHANNEL_TIMEOUT: Final = 30
"""Seconds a connection may send nothing (in headers, in a body, or between requests) before it
is closed: a phone on a slow network sends a 0.5 MB recording in a few seconds."""
CLEANUP_INTERVAL: Final = 5
"""How often idle connections are looked for; an idle one lives at most CHANNEL_TIMEOUT plus this."""
MAX_BODY_BYTES: Final = 6 * 1024 * 1024
"""Matches the app's MAX_CONTENT_LENGTH: a maximum-length recording with room to spare."""
MAX_HEADER_BYTES: Final = 64 * 1024
"""Ours are under 2 kB (a session token is a few hundred bytes); waitress's default is 256 kB."""


class JsonErrorTask(ErrorTask):
    """waitress's own error responses (bad framing, too large, its 500) as JSON, with the
    same security headers as the app's."""

    def execute(self) -> None:
        error = self.request.error
        body = json.dumps({"error": f"{error.reason}: {error.body}"}).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", "application/json"), ("Cache-Control", NO_STORE), *SECURITY_HEADERS]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Channel(HTTPChannel):
    error_task_class = JsonErrorTask


def server_settings(**overrides: Any) -> dict[str, Any]:
    """waitress adjustments for `make run`; tests and benchmarks override some."""
    settings = {
        "threads": THREADS,
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "max_request_body_size": MAX_BODY_BYTES,
        "max_request_header_size": MAX_HEADER_BYTES,
        "ident": "exercise-coach",
        "expose_tracebacks": False,
    }
    settings.update(overrides)
    return settings


def make_server(application: Any, **overrides: Any) -> Any:
    """A waitress server for `application`, not yet running (call .run())."""
    server = create_server(application, **server_settings(**overrides))
    server.channel_class = Channel  # every connection it accepts from now on
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--channel-timeout", type=int, default=CHANNEL_TIMEOUT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if app.extensions["listener"] is not None:
        app.extensions["listener"].warm_up()
    server = make_server(
        app, host=args.host, port=args.port, threads=args.threads, channel_timeout=args.channel_timeout
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # leave through the finally below
    log.info("serving on http://%s:%s", args.host, server.effective_port)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        for service in ("listener", "speech"):
            if app.extensions[service] is not None:
                app.extensions[service].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
