"""The speech cache stays bounded: rates quantised, least recently used WAVs pruned, every id
handed out still playable later, full or read-only disks noticed at once, stale .tmp swept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.speech import RATE_STEPS, SpeechService, SpeechUnavailable, quantize_rate
from tests.assistant.speech.support import STEP, Script

BOUND = 1_000_000
"""Holds about six of these replies (and the records of all of them), so sixty overflow it."""


def disk_use(folder: Path) -> int:
    return sum(max(p.stat().st_size, p.stat().st_blocks * 512) for p in folder.iterdir())


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return Script(tmp_path / "engine")


@pytest.mark.parametrize(("asked", "spoken"), [(80, 100), (120, 130), (175, 175), (190, 175), (205, 230), (320, 280)])
def test_any_rate_is_spoken_at_the_nearest_step(asked, spoken):
    assert quantize_rate(asked) == spoken
    assert spoken in RATE_STEPS


def test_nearby_rates_share_one_file(tmp_path, script):
    with SpeechService(tmp_path / "cache", engine_factory=script.factory) as service:
        ids = {service.audio_id(STEP, rate=rate) for rate in range(160, 200)}
    assert len(ids) == 1


def test_the_cache_stays_under_its_bound_and_pruned_audio_is_made_again(tmp_path, script):
    cache = tmp_path / "cache"
    with SpeechService(cache, engine_factory=script.factory, max_bytes=BOUND) as service:
        first = service.request(f"{STEP} Number 0.")
        assert service.wav_bytes(first)[:4] == b"RIFF"
        for number in range(1, 60):
            assert service.wav_bytes(service.request(f"{STEP} Number {number}.")) is not None
            assert disk_use(cache) <= BOUND
        assert not service.cache_dir.joinpath(f"{first}.wav").exists()  # the least recently used went first
        assert service.wav_bytes(first)[:4] == b"RIFF"  # and is made again from its record
        assert script.synthesised.count(f"{STEP} Number 0.") == 2


def test_an_unknown_id_is_none_and_a_known_one_that_cannot_be_made_is_unavailable(tmp_path, script):
    with SpeechService(tmp_path / "cache", engine_factory=script.factory, timeout=5.0) as service:
        assert service.wav_bytes("0" * 64) is None
        assert service.wav_bytes("../secret") is None
        script.set("raise")
        audio_id = service.request(STEP)
        with pytest.raises(SpeechUnavailable):
            service.wav_bytes(audio_id)


def test_a_full_disk_fails_synthesis_at_once_without_calling_the_engine(tmp_path, script, monkeypatch):
    with SpeechService(tmp_path / "cache", engine_factory=script.factory) as service:
        full = os.statvfs_result((4096, 4096, 1000, 0, 0, 1000, 0, 0, 0, 255))
        monkeypatch.setattr(os, "statvfs", lambda path: full)
        audio_id = service.audio_id(STEP)
        assert service.wav_path(audio_id) is None
        assert script.synthesised == []


def test_an_unwritable_cache_hands_out_no_ids_and_reports_unhealthy(tmp_path, script, monkeypatch):
    with SpeechService(tmp_path / "cache", engine_factory=script.factory) as service:

        def read_only(self, job):
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr("assistant.speech.cache.CacheDir.write_job", read_only)
        with pytest.raises(SpeechUnavailable):
            service.request(STEP)
        assert not service.healthy


def test_temporary_files_no_live_process_will_finish_are_swept_at_start_up_whatever_their_age(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [
        cache / f"{'a' * 64}.wav.{int(dead.stdout)}.0000.tmp",  # its writer has exited
        cache / f"{'b' * 64}.wav.{os.getpid()}.0000.tmp",  # ours, from before this service existed
        cache / "junk.tmp",
    ]
    live = cache / f"{'c' * 64}.wav.{os.getppid()}.0000.tmp"  # a live process may still finish it
    for path in [*leftovers, live]:
        path.write_bytes(b"partial")
    SpeechService(cache).close()
    assert [p for p in leftovers if p.exists()] == []
    assert live.exists()
