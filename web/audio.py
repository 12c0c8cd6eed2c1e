"""Spoken replies: synthesis asked for explicitly after a turn, the WAVs served by content-addressed id."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Final

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import NotFound

from assistant.speech import SpeechError, SpeechService

__all__ = ["audio", "prefetch"]

log = logging.getLogger(__name__)

IMMUTABLE: Final = "public, max-age=31536000, immutable"

audio = Blueprint("audio", __name__)


def prefetch(texts: Iterable[str], rate: int) -> dict[str, str]:
    """Start synthesis of `texts` in the background; the URL where each one's audio will be.
    A URL is handed out only once its durable record is written: none when speech is off."""
    service: SpeechService | None = current_app.extensions["speech"]
    if service is None or not service.healthy:
        return {}
    urls: dict[str, str] = {}
    for text in texts:
        try:
            urls[text] = url_for("audio.speech_audio", audio_id=service.request(text, rate=rate))
        except SpeechError as error:
            log.warning("no audio for a reply: %s", error)
    return urls


@audio.get("/api/speech/<audio_id>.wav")
def speech_audio(audio_id: str):
    service: SpeechService | None = current_app.extensions["speech"]
    if service is None:
        raise NotFound("No such audio.")
    data = service.wav_bytes(audio_id)  # SpeechUnavailable: 503; read whole so no file is left open
    if data is None:
        raise NotFound("No such audio.")
    response = Response(data, mimetype="audio/wav")
    response.set_etag(audio_id)
    response.headers["Cache-Control"] = IMMUTABLE
    response.make_conditional(request, accept_ranges=True, complete_length=len(data))
    return response
