"""Speaking aloud in the terminal chat: synthesise to a temporary WAV and play it on the machine's device."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Final

from .errors import SpeechUnavailable
from .job import DEFAULT_RATE, check_voice, normalize_text, resolve_rate
from .worker import (
    Pyttsx3Engine,
)

__all__ = ["require_audio_output", "speak_aloud"]


AUDIO_PLAYER: Final = "aplay"
"""pyttsx3's espeak driver plays each utterance by running `aplay` (alsa-utils)."""


PROBE_SECONDS: Final = 0.02
"""Length of the silent clip played to check that an audio device exists."""


PROBE_TIMEOUT: Final = 5.0
"""A player that cannot play 20 ms of silence in this time has no usable device."""


PLAYBACK_SLACK: Final = 10.0
"""Seconds allowed on top of twice the expected speaking time before speak_aloud gives up."""


def speak_aloud(text: str, *, voice: str, rate: int) -> None:
    """Say `text` through this machine's audio output and return when done; raise
    SpeechUnavailable when there is no engine or no audio device."""
    spoken = normalize_text(text)
    words_per_minute = resolve_rate(rate, default=DEFAULT_RATE)
    check_voice(voice)
    require_audio_output()
    try:
        engine = Pyttsx3Engine(driver_name=None)
    except Exception as exc:  # noqa: BLE001 - any import or init failure means "no engine"
        raise SpeechUnavailable(f"no speech engine: {type(exc).__name__}: {exc}") from exc
    expected = 60.0 * len(spoken.split()) / words_per_minute
    try:
        engine.speak(spoken, voice=voice, rate=words_per_minute, wait_limit=2 * expected + PLAYBACK_SLACK)
    except RuntimeError as exc:
        raise SpeechUnavailable(f"speaking failed: {exc}") from exc


def require_audio_output() -> None:
    """Raise SpeechUnavailable unless the player pyttsx3 uses can play a short silence.

    Needed because the espeak driver ignores the player's exit status: without a sound
    card `say()` would "succeed" silently.
    """
    if not sys.platform.startswith("linux"):
        return  # the macOS and Windows drivers play through the OS directly
    player = shutil.which(AUDIO_PLAYER)
    if player is None:
        raise SpeechUnavailable(f"no audio player: pyttsx3 plays through '{AUDIO_PLAYER}' (alsa-utils)")
    with tempfile.TemporaryDirectory(prefix="speech-probe-") as folder:
        probe = Path(folder) / "silence.wav"
        _write_silence(probe, seconds=PROBE_SECONDS)
        try:
            done = subprocess.run(
                [player, "-q", str(probe)],
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpeechUnavailable(f"audio player unusable: {exc}") from exc
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[0]
        raise SpeechUnavailable(f"no audio output device: {reason}")


def _write_silence(path: Path, *, seconds: float) -> None:
    rate = 22050
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(rate * seconds))
