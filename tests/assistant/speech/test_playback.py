"""Speaking aloud in the terminal, with a fake `aplay`: this sandbox has no sound card."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.speech import (
    SpeechUnavailable,
    speak_aloud,
)

from .support import LONG, SHORT, assert_speech

# --- Speaking aloud ---------------------------------------------------------------------

FAKE_APLAY = """#!/bin/sh
# Stands in for alsa-utils' aplay: {behaviour}
for arg in "$@"; do
  case "$arg" in *.wav) {action} ;; esac
done
"""


def install_fake_aplay(folder: Path, *, action: str, behaviour: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    aplay = folder / "aplay"
    aplay.write_text(FAKE_APLAY.format(action=action, behaviour=behaviour))
    aplay.chmod(aplay.stat().st_mode | stat.S_IXUSR)
    return folder


def test_speak_aloud_without_an_audio_player_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # this sandbox's situation: no alsa-utils at all
    with pytest.raises(SpeechUnavailable, match="no audio player"):
        speak_aloud(SHORT, voice="en-us", rate=175)


def test_speak_aloud_without_a_sound_card_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = install_fake_aplay(
        tmp_path / "bin",
        behaviour="a machine without a sound card",
        action='echo "aplay: main:831: audio open error: No such file or directory" >&2; exit 1',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(SpeechUnavailable, match="audio open error"):
        speak_aloud(SHORT, voice="en-us", rate=175)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the espeak driver plays through aplay on Linux")
def test_speak_aloud_plays_the_spoken_text(tmp_path: Path) -> None:
    """In a child process: it loads espeak and changes PATH, which the test run must not share."""
    played = tmp_path / "played"
    played.mkdir()
    bin_dir = install_fake_aplay(
        tmp_path / "bin", behaviour="keeps a copy of what it plays", action=f'cp "$arg" "{played}/"'
    )
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    code = f"from assistant.speech import speak_aloud; speak_aloud({LONG!r}, voice='en-us', rate=175)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).parents[3],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    clips = [p for p in played.iterdir() if p.name != "silence.wav"]
    assert len(clips) == 1
    assert assert_speech(clips[0]) > 5.0  # LONG is ~45 words: about 15 s of speech at 175 wpm
