"""A real `python -m serve` on a free loopback port, for the load benchmarks; stops itself."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT = 60.0
"""Seconds allowed for the server to start (content, speech worker, decoders)."""
BENCH_SECRET = "benchmark-secret-key-not-for-production-use"


@contextlib.contextmanager
def live_server(
    *, env: dict[str, str] | None = None, args: tuple[str, ...] = (), shared: Path | None = None
) -> Iterator[tuple[int, Path]]:
    """Yield (port, folder) of a running server whose speech cache is `folder / "speech"`;
    servers given the same `shared` folder share it (and the secret): one service scaled out."""
    with tempfile.TemporaryDirectory(prefix="bench-server-") as name:
        folder = shared or Path(name)
        environment = {
            **os.environ,
            "ASSISTANT_SECRET_KEY": BENCH_SECRET,
            "ASSISTANT_SPEECH_CACHE": str(folder / "speech"),
            **(env or {}),
        }
        log = Path(name) / "serve.log"
        with log.open("w") as stream:
            process = subprocess.Popen(
                [sys.executable, "-m", "serve", "--port", "0", *args], cwd=ROOT, env=environment, stderr=stream
            )
        try:
            deadline = time.monotonic() + START_LIMIT
            while not (found := re.search(r"serving on http://127\.0\.0\.1:(\d+)", log.read_text())):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.05)
            yield int(found.group(1)), folder
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
