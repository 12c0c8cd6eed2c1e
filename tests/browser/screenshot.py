"""`python -m tests.browser.screenshot` (from the repository root) rewrites docs/screenshot.png."""

from __future__ import annotations

from .harness import (
    REPO,
    SCREENSHOT_VIEWPORT,
    Path,
    _new_page,
    launched_browser,
    next_by_chip,
    running_app,
    start_cobra,
    wait_until_idle,
)

# ---------------------------------------------------------------- screenshot


def make_screenshot(target: Path) -> None:
    """The page mid-guidance (cobra stretch, step 2), as docs/screenshot.png shows it."""
    import tempfile

    with tempfile.TemporaryDirectory() as speech_dir, running_app(Path(speech_dir)) as url:
        with launched_browser() as browser:
            page = _new_page(browser, url, SCREENSHOT_VIEWPORT, [], [])
            page.emulate_media(reduced_motion="reduce")  # the progress bar at its final width
            start_cobra(page)
            next_by_chip(page, 2)
            wait_until_idle(page)
            page.locator("#player").evaluate("audio => audio.pause()")
            page.locator("#transcript").evaluate(  # the warning at the top, as after scrolling up
                "t => { t.scrollTop = t.querySelector('.callout-warning').offsetTop - 12; }"
            )
            page.mouse.move(0, 0)
            page.screenshot(path=str(target))
            page.context.close()


if __name__ == "__main__":
    make_screenshot(REPO / "docs" / "screenshot.png")
    print("wrote docs/screenshot.png")
