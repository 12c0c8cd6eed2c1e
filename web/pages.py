"""The page, the health check and the articles as JSON; the headers every response carries."""

from __future__ import annotations

from typing import Final

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from assistant.conversation import DialogueState, suggestions
from content import Library, to_dict

__all__ = ["CONTENT_SECURITY_POLICY", "NO_STORE", "SECURITY_HEADERS", "pages"]

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: Final = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Permissions-Policy", "microphone=(self), camera=(), geolocation=()"),
)
"""On every response, the server's own error pages included (see serve.py)."""
NO_STORE: Final = "no-store"

pages = Blueprint("pages", __name__)


@pages.after_app_request
def headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response.headers.setdefault("Cache-Control", NO_STORE)  # replies carry session tokens
    return response


@pages.get("/")
def index():
    """The page, with the quick replies a new conversation starts with (the server's, not a copy)."""
    return render_template("index.html", suggestions=suggestions(DialogueState(), _library()))


@pages.get("/healthz")
def healthz():
    """Up, with how many articles, and where listening is: "off", or its decoders' status
    (`DecodePool.status`: they build their grammar after the server starts)."""
    listener = current_app.extensions["listener"]
    return {
        "status": "ok",
        "articles": len(_library().articles),
        "listening": "off" if listener is None else listener.status,
    }


@pages.get("/api/articles")
def articles():
    return jsonify([to_dict(a) for a in _library().articles])


def _library() -> Library:
    return current_app.extensions["library"]
