"""The app and a browser whose fake microphone says "next step": Chromium loops the recording, so
each time the page opens the microphone it hears a second of silence, then the command."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.harness import DESKTOP_VIEWPORT, Browser, Page, _new_page, launched_browser, running_app

from .support import COMMAND, INSTRUMENT, PAD_SECONDS, padded_wav


@pytest.fixture(scope="module")
def microphone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.speech import SpeechError, SpeechService

    folder = tmp_path_factory.mktemp("microphone")
    try:
        with SpeechService(folder / "speech") as service:
            spoken = service.wav_path(service.request(COMMAND))
    except (SpeechError, OSError) as error:
        pytest.skip(f"cannot speak the test command: {error}")
    if spoken is None:
        pytest.skip("cannot speak the test command (speech unavailable on this machine)")
    target = folder / "next_step.wav"
    padded_wav(spoken, target, PAD_SECONDS)
    return target


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("speech")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(microphone_wav: Path) -> Iterator[Browser]:
    # No --use-fake-ui-for-media-stream: each context grants or refuses the microphone itself.
    fake_microphone = (
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_wav}",
    )
    with launched_browser(fake_microphone) as launched:
        yield launched


@pytest.fixture
def console_errors() -> list[str]:
    return []


def _page(browser: Browser, base_url: str, errors: list[str], **options) -> Iterator[Page]:
    dialogs: list[str] = []
    page = _new_page(browser, base_url, DESKTOP_VIEWPORT, dialogs, errors, **options)
    yield page
    page.context.close()
    assert dialogs == []
    assert errors == []


@pytest.fixture
def page(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    for page in _page(browser, base_url, console_errors, permissions=["microphone"]):
        page.context.add_init_script(INSTRUMENT)
        yield page


@pytest.fixture
def page_without_microphone(browser: Browser, base_url: str, console_errors: list[str]) -> Iterator[Page]:
    yield from _page(browser, base_url, console_errors)
