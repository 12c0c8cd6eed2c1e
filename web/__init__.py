"""The web adapter: HTTP in, `respond`, the Turn out as JSON. Flask blueprints over the pure core.

requests.py parses and bounds what clients send; sessions.py carries the conversation in a
signed token; serialize.py turns a Turn into JSON without side effects; errors.py is the one
place errors become HTTP statuses; pages.py, conversation.py and audio.py are the views.
"""

from __future__ import annotations

from flask import Flask

from .audio import audio
from .conversation import conversation
from .errors import register_errors
from .pages import NO_STORE, SECURITY_HEADERS, pages

__all__ = ["NO_STORE", "SECURITY_HEADERS", "register"]


def register(app: Flask) -> None:
    """Every view and error handler; services must already be in app.extensions."""
    for blueprint in (pages, conversation, audio):
        app.register_blueprint(blueprint)
    register_errors(app)
