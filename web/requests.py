"""What clients send, parsed and bounded: a clear 4xx for anything else, never a 500."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from flask import request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from assistant.listening import MAX_AUDIO_BYTES
from assistant.rates import RATE_NAMES
from assistant.speech import RATE_PRESETS, SpeechError, resolve_rate

__all__ = ["MAX_CHAT_BYTES", "MAX_MESSAGE_CHARS", "ChatRequest", "chat_request", "listen_request"]

MAX_MESSAGE_CHARS: Final = 2000  # far beyond any spoken or typed command; bounds the work per request
MAX_CHAT_BYTES: Final = 64 * 1024
"""A chat request is a message of at most 2,000 characters and a token: a few kB at most."""
WAV_TYPES: Final = frozenset({"audio/wav", "audio/x-wav"})
"""The only Content-Types /api/listen takes: neither is a "simple" type, so another origin's
page must ask first (a CORS preflight) and is refused."""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    message: str
    token: str | None
    rate_name: str | None
    """A rate name ("slow"): the conversation speaks at it from now on (the page's speed control)."""
    words_per_minute: int | None
    """A number instead: this reply only is spoken at it (API clients)."""


def chat_request() -> ChatRequest:
    """Validate POST /api/chat: {"message": str, "session": str|null, "rate": preset|number}."""
    body = _json_body(MAX_CHAT_BYTES)
    if not isinstance(body, dict):
        raise BadRequest('Send JSON like {"message": "next step", "session": null}.')
    message, token, rate = body.get("message"), body.get("session"), body.get("rate")
    if not isinstance(message, str) or not message.strip():
        raise BadRequest('"message" must be non-empty text.')
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(f'"message" is too long (at most {MAX_MESSAGE_CHARS} characters).')
    if token is not None and not isinstance(token, str):
        raise BadRequest('"session" must be the token from the previous reply, or null.')
    if isinstance(rate, str) and rate.strip().lower() in RATE_NAMES:
        return ChatRequest(message, token, rate.strip().lower(), None)
    try:
        speech_rate = None if rate is None else resolve_rate(rate, default=RATE_PRESETS["normal"])
    except SpeechError as error:
        raise BadRequest(f'"rate": {error}') from error
    return ChatRequest(message, token, None, speech_rate)


def listen_request() -> tuple[bytes, str | None]:
    """Validate POST /api/listen: a WAV body, the session in the X-Session header."""
    if request.mimetype not in WAV_TYPES:
        raise UnsupportedMediaType("Send the recording with Content-Type: audio/wav.")
    if "session" in request.args:  # query strings end up in access logs
        raise BadRequest("Send the session token in the X-Session header, not in the URL.")
    return _request_body(MAX_AUDIO_BYTES), request.headers.get("X-Session")


def _request_body(limit: int) -> bytes:
    """The whole request body, however it was framed; 413 beyond `limit` bytes, 400 when the
    client's framing is broken (bad chunk sizes, a connection cut mid-body)."""
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"The request body is over {limit} bytes.")
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit and (chunk := request.stream.read(limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except HTTPException:
        raise
    except Exception as error:  # the edge where a client's broken transport surfaces: its fault, not ours
        raise BadRequest("The request body could not be read: it was cut short or badly framed.") from error
    if size > limit:
        raise RequestEntityTooLarge(f"The request body is over {limit} bytes.")
    return b"".join(chunks)


def _json_body(limit: int) -> object:
    """The request's JSON, or None when it is not JSON; 400 for nesting too deep to parse."""
    data = _request_body(limit)
    if not request.is_json:
        return None
    try:
        return json.loads(data)
    except ValueError:  # not JSON, not UTF-8, or a number of more than 4,300 digits
        return None
    except RecursionError as error:
        raise BadRequest("The JSON is nested too deeply.") from error
