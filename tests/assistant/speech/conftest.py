"""Speech services for the tests: fakes by default, the real engine where audio is checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.speech import (
    SpeechService,
)

from .support import Script


@pytest.fixture
def make_service(tmp_path: Path) -> Iterator[Callable[..., SpeechService]]:
    made: list[SpeechService] = []

    def make(**options: object) -> SpeechService:
        service = SpeechService(tmp_path / "cache", **options)  # type: ignore[arg-type]
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


@pytest.fixture(scope="module")
def real_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SpeechService]:
    """One service on the real engine, shared by tests that only read what it makes."""
    with SpeechService(tmp_path_factory.mktemp("speech")) as service:
        yield service


@pytest.fixture
def script(tmp_path: Path) -> Script:
    return Script(tmp_path / "engine")
