"""The one place errors become HTTP: every failure is a JSON {"error": ...} a person can act on."""

from __future__ import annotations

import logging
from typing import Final

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from assistant.listening import (
    DamagedRecording,
    ListenBusy,
    ListenError,
    NotARecording,
    RecordingTooLarge,
)
from assistant.speech import SpeechUnavailable

__all__ = ["RETRY_SECONDS", "register_errors"]

log = logging.getLogger(__name__)

RETRY_SECONDS: Final = 2
"""Retry-After when every decoder is busy (about two maximum-length decodes) or audio cannot
be made just now."""


LISTEN_STATUS: Final = (
    (NotARecording, 415),
    (RecordingTooLarge, 413),
    (DamagedRecording, 400),
    (ListenBusy, 503),
    (ListenError, 400),  # any other recording we cannot read
)


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = jsonify(error=error.description or error.name)
        for name, value in error.get_headers():  # Allow on 405, WWW-Authenticate, ...
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, error.code or 500

    @app.errorhandler(ListenError)
    def listen_error(error: ListenError):
        response = jsonify(error=str(error))
        if isinstance(error, ListenBusy):
            response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response, next(code for kind, code in LISTEN_STATUS if isinstance(error, kind))

    @app.errorhandler(SpeechUnavailable)
    def speech_unavailable(error: SpeechUnavailable):  # a known text that cannot be spoken just now
        response = jsonify(error=f"This audio cannot be made just now: {error}")
        response.headers["Retry-After"] = str(RETRY_SECONDS)
        return response, 503

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error")
        return jsonify(error="Something went wrong on our side; please try again."), 500
