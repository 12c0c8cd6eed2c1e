"""Shared fixtures: the seed library, an app over a content folder, its test client."""

from __future__ import annotations

from pathlib import Path

import pytest

from content import DEFAULT_CONTENT_DIR, Library, load_library

SEED = DEFAULT_CONTENT_DIR / "000_2996f131c8f3b110.txt"
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
"""Long enough for create_app, which refuses short keys."""


@pytest.fixture(scope="session")
def seed_library() -> Library:
    return load_library(DEFAULT_CONTENT_DIR)


@pytest.fixture
def app(tmp_path: Path):
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(DEFAULT_CONTENT_DIR),
            "SPEECH_CACHE_DIR": str(tmp_path / "speech"),
            "SECRET_FILE": str(tmp_path / "secret_key"),
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()
