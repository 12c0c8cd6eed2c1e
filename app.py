"""The Flask application factory: thin views over the pure core, services in app.extensions."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from content import DEFAULT_CONTENT_DIR, Library, load_library, to_dict

log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then env, then `config` (tests); load the content once."""
    app = Flask(__name__)
    app.config.from_mapping(
        CONTENT_DIR=os.environ.get("ASSISTANT_CONTENT_DIR", str(DEFAULT_CONTENT_DIR)),
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.from_mapping(config)
    app.extensions["library"] = load_library(Path(app.config["CONTENT_DIR"]))
    _register_views(app)
    return app


def library_of(app: Flask) -> Library:
    return app.extensions["library"]


def _register_views(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "articles": len(library_of(app).articles)}

    @app.get("/api/articles")
    def articles():
        return jsonify([to_dict(a) for a in library_of(app).articles])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description or error.name), error.code or 500

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("unexpected error")
        return jsonify(error="Something went wrong on our side; please try again."), 500
