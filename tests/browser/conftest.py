"""The browser and the app the browser tests share (the voice tests bring their own).

Without Chromium at CHROMIUM_PATH (default /usr/bin/chromium) every browser test is skipped and
says why; with REQUIRE_BROWSER=1 (as CI sets it) that is a failure instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .harness import (
    CHROMIUM,
    DESKTOP_VIEWPORT,
    NARROW_VIEWPORT,
    Browser,
    Page,
    _new_page,
    launched_browser,
    running_app,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    reason = f"no browser at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {reason}")
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_app(tmp_path_factory.mktemp("speech")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_browser() as launched:
        yield launched


@pytest.fixture
def dialogs() -> list[str]:
    """Messages of every alert/confirm/prompt the page opened (there should be none)."""
    return []


@pytest.fixture
def console_errors() -> list[str]:
    """Uncaught exceptions and console errors, CSP violations included (there should be none)."""
    return []


@pytest.fixture
def page(browser: Browser, base_url: str, dialogs: list[str], console_errors: list[str]) -> Iterator[Page]:
    yield from _opened(browser, base_url, DESKTOP_VIEWPORT, dialogs, console_errors)


@pytest.fixture
def narrow_page(browser: Browser, base_url: str, dialogs: list[str], console_errors: list[str]) -> Iterator[Page]:
    yield from _opened(browser, base_url, NARROW_VIEWPORT, dialogs, console_errors)


def _opened(browser: Browser, base_url: str, viewport: dict, dialogs: list[str], errors: list[str]) -> Iterator[Page]:
    """A page in a fresh context; it must end with no console error."""
    page = _new_page(browser, base_url, viewport, dialogs, errors)
    yield page
    page.context.close()
    assert errors == []
