"""Fakes at the app's seams, so most tests run without the speech worker's process."""

from __future__ import annotations

import hashlib
import io
import wave
from collections.abc import Iterable


def silent_wav(seconds: float = 0.1, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\x00\x00" * int(seconds * rate))
    return out.getvalue()


class RecordingSpeaker:
    """SpeechService's face to the web adapter: hands out ids, serves a short silent WAV for
    each, and records every text asked for and at what rate."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, int | None]] = []
        self.prerendered: list[str] = []
        self.closed = False
        self._ids: set[str] = set()

    @property
    def healthy(self) -> bool:
        return not self.closed

    def request(self, text: str, *, rate: int | None = None) -> str:
        self.requests.append((text, rate))
        audio_id = hashlib.sha256(f"{rate}:{text}".encode()).hexdigest()
        self._ids.add(audio_id)
        return audio_id

    def wav_bytes(self, audio_id: str) -> bytes | None:
        return silent_wav() if audio_id in self._ids else None

    def prerender(self, texts: Iterable[str]) -> None:
        self.prerendered.extend(texts)

    def close(self) -> None:
        self.closed = True
