"""Shared fixtures: the seed library, an app over a content folder, its test client."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from content import DEFAULT_CONTENT_DIR, Library, load_library
from tests.fakes import RecordingSpeaker

# Nothing a test run writes lands in the checkout: the app's files (speech cache, secret key),
# also those of servers started in subprocesses, go to one temporary folder for the run.
RUN_FILES = Path(os.environ.get("COACH_TEST_FILES") or os.environ.setdefault("COACH_TEST_FILES", tempfile.mkdtemp()))
os.environ["ASSISTANT_SPEECH_CACHE"] = str(RUN_FILES / "speech")
os.environ["ASSISTANT_SECRET_FILE"] = str(RUN_FILES / "secret_key")
os.environ["ASSISTANT_CACHE_DIR"] = str(RUN_FILES / "cache")
os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(RUN_FILES / "hypothesis")
settings.register_profile("no-files", database=None)  # hypothesis keeps no example database here
settings.load_profile("no-files")

SEED = DEFAULT_CONTENT_DIR / "000_2996f131c8f3b110.txt"
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnop"
"""Long enough for create_app, which refuses short keys."""


@pytest.fixture(scope="session")
def seed_library() -> Library:
    return load_library(DEFAULT_CONTENT_DIR)


@pytest.fixture(scope="session")
def index(seed_library: Library):
    """The router's index over the seed library, with the learned model: built once per run."""
    from intents import build_index

    return build_index(seed_library)


@pytest.fixture
def speaker() -> RecordingSpeaker:
    return RecordingSpeaker()


@pytest.fixture
def app(tmp_path: Path, speaker: RecordingSpeaker):
    """The app with a recording fake speaker: no speech worker process."""
    from app import create_app

    return create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(DEFAULT_CONTENT_DIR),
            "SPEECH_SERVICE": speaker,
            "SECRET_FILE": str(tmp_path / "secret_key"),
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def spoken_app(tmp_path: Path):
    """The app with real speech: its worker process and espeak-ng, for the audio path end to end."""
    from app import create_app

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(DEFAULT_CONTENT_DIR),
            "SPEECH_CACHE_DIR": str(tmp_path / "speech"),
            "SECRET_FILE": str(tmp_path / "secret_key"),
        }
    )
    yield app
    app.extensions["speech"].close()


@pytest.fixture
def spoken_client(spoken_app):
    return spoken_app.test_client()


@pytest.fixture(scope="session", autouse=True)
def _run_files_removed():
    yield
    shutil.rmtree(RUN_FILES, ignore_errors=True)
