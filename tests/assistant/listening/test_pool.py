"""The decode pool says where its decoders are: idle, starting, ready or failed."""

from __future__ import annotations

import os
import time
from functools import partial

from assistant.listening import DecodePool, Transcript


class _Heard:
    def transcribe(self, data, *, subset=None):
        return Transcript("next", 1.0, 1.0)


def slow_recognizer(gate: str) -> _Heard:
    """Built in the decoder process once `gate` exists, as a big grammar takes seconds."""
    while not os.path.exists(gate):
        time.sleep(0.01)
    return _Heard()


def broken_recognizer() -> _Heard:
    raise RuntimeError("no model")


def wait_for(pool: DecodePool, status: str) -> str:
    deadline = time.monotonic() + 60
    while pool.status != status and time.monotonic() < deadline:
        time.sleep(0.02)
    return pool.status


def test_decoders_are_idle_until_warmed_up_then_starting_until_built_then_ready(tmp_path):
    gate = tmp_path / "gate"
    pool = DecodePool(partial(slow_recognizer, str(gate)), decoders=1, queue=0, timeout=30)
    try:
        assert pool.status == "idle"
        pool.warm_up()
        time.sleep(0.3)
        assert pool.status == "starting"
        gate.touch()
        assert wait_for(pool, "ready") == "ready"
        assert pool.transcribe(b"RIFF").text == "next"
    finally:
        pool.close()


def test_a_decoder_that_cannot_start_is_reported_failed():
    pool = DecodePool(broken_recognizer, decoders=1, queue=0, timeout=30)
    try:
        pool.warm_up()
        assert wait_for(pool, "failed") == "failed"
    finally:
        pool.close()
