"""The harness of the browser tests: Playwright driving Debian's Chromium against the real app.

The app runs in a background thread on 127.0.0.1 with a free port; the session lives in the
signed token, so one server serves every test of a module, and each test gets a fresh browser
context, so localStorage never leaks between tests. Without /usr/bin/chromium the browser tests
are skipped; with REQUIRE_BROWSER=1 that is a failure.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Debian's Chromium runs as root in CI containers, where the sandbox cannot start; the rest
# keeps it from reaching for the network (there is none) and from background work.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
)
# Generous: the first reply may wait for speech synthesis on a slow CI machine.
EXPECT_TIMEOUT_MS = 15_000
# Upper bound on Tab presses when walking the page by keyboard; the page has about a dozen stops.
MAX_TABS = 40
NARROW_VIEWPORT = {"width": 360, "height": 740}
DESKTOP_VIEWPORT = {"width": 1000, "height": 800}
# Tall enough that the whole safety warning shows above steps 1 and 2.
SCREENSHOT_VIEWPORT = {"width": 1000, "height": 848}
# Fingers on a mat: WCAG 2.5.5 asks for 44 px; the page aims for 48.
MIN_TAP_PX = 44
COBRA = "how do I do the cobra stretch"
XSS = "<img src=x onerror=alert(1)>"
REPO = Path(__file__).resolve().parents[2]


expect.set_options(timeout=EXPECT_TIMEOUT_MS)


# ---------------------------------------------------------------- harness


@contextmanager
def running_app(speech_dir: Path) -> Iterator[str]:
    """Serve the real app on a free local port; yields its base URL."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from app import create_app
    from content import DEFAULT_CONTENT_DIR

    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(DEFAULT_CONTENT_DIR),
            "SPEECH_CACHE_DIR": str(speech_dir),
        }
    )
    if app.extensions["listener"] is not None:
        app.extensions["listener"].warm_up()  # as serve.py does: no decoder start-up inside a test's wait
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-app", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        if app.extensions["listener"] is not None:
            app.extensions["listener"].close()


@contextmanager
def launched_browser(extra_args: Sequence[str] = ()) -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*LAUNCH_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def _new_page(
    browser: Browser,
    base_url: str,
    viewport: dict,
    dialogs: list[str],
    errors: list[str],
    **context_options,
) -> Page:
    context = browser.new_context(base_url=base_url, viewport=viewport, **context_options)
    page = context.new_page()

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page


# ---------------------------------------------------------------- helpers


def send(page: Page, text: str) -> None:
    box = page.locator("#message")
    box.fill(text)
    box.press("Enter")


def steps(page: Page):
    return page.locator("#messages li[data-kind=step]")


def chip(page: Page, label: str):
    return page.locator("#suggestions").get_by_role("button", name=label, exact=True)


def start_cobra(page: Page) -> None:
    page.goto("/")
    send(page, COBRA)
    expect(steps(page).last).to_contain_text("Step 1 of 4")


def next_by_chip(page: Page, step: int) -> None:
    chip(page, "Next").click()
    expect(steps(page).last).to_contain_text(f"Step {step} of 4")


def wait_until_idle(page: Page) -> None:
    expect(page.locator("#transcript")).to_have_attribute("aria-busy", "false")


def horizontal_overflow(page: Page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth")


def player_src(page: Page) -> str:
    return page.locator("#player").evaluate("audio => audio.src")
