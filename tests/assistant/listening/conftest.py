"""The recogniser and the voices, built once for every listening test."""

from __future__ import annotations

import pytest

from assistant.conversation import LISTENING
from assistant.listening import (
    Recognizer,
    command_recognizer,
)
from benchmarks import voice_eval
from intents import build_index
from intents.words import build_vocabulary

from .support import NOISES, RATE, VOICES

# --- Fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def recognizer(seed_library) -> Recognizer:
    return command_recognizer(build_vocabulary(seed_library), LISTENING)


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], bytes]:
    """The benchmark's test set in two voices at the normal rate, synthesised once."""
    return voice_eval.synthesise(voice_eval.case_table(), VOICES, (RATE,), tmp_path_factory.mktemp("voices"))


@pytest.fixture(scope="session")
def results(recognizer, clips, seed_library) -> list[voice_eval.Result]:
    return voice_eval.evaluate(
        recognizer, build_index(seed_library), seed_library, clips, voice_eval.case_table(), NOISES
    )
