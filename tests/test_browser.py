"""The chat page in a real browser (Playwright driving Debian's Chromium) against the real app.

Each test gets a fresh browser context, so localStorage never leaks between tests. The app runs
in a background thread on 127.0.0.1 with a free port; the session lives in the signed token, so
one server serves every test.

Without /usr/bin/chromium the module is skipped; with REQUIRE_BROWSER=1 that is a failure.
`python tests/test_browser.py` (from the repository root) rewrites docs/screenshot.png.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

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
REPO = Path(__file__).resolve().parent.parent


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if __name__ != "__main__":
    if not CHROMIUM.exists():
        _skip_or_fail(f"no browser at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip_or_fail("the playwright package is not installed")

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

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


@pytest.fixture
def page(browser: Browser, base_url: str, dialogs: list[str], console_errors: list[str]) -> Iterator[Page]:
    page = _new_page(browser, base_url, DESKTOP_VIEWPORT, dialogs, console_errors)
    yield page
    page.context.close()
    assert console_errors == []


@pytest.fixture
def narrow_page(browser: Browser, base_url: str, dialogs: list[str], console_errors: list[str]) -> Iterator[Page]:
    page = _new_page(browser, base_url, NARROW_VIEWPORT, dialogs, console_errors)
    yield page
    page.context.close()
    assert console_errors == []


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


# ---------------------------------------------------------------- tests


def test_welcome_lists_the_exercises_and_examples(page: Page) -> None:
    page.goto("/")
    welcome = page.locator("#welcome")
    for title in ("Lying Hip Stretch", "Cobra Stretch", "Multidirectional Leg Raises"):
        expect(welcome).to_contain_text(title)
    expect(welcome.get_by_role("button", name="How do I do the cobra stretch?")).to_be_visible()
    expect(chip(page, "Cobra Stretch")).to_be_visible()


def test_safety_warning_is_a_callout_shown_before_the_first_step(page: Page) -> None:
    start_cobra(page)
    warning = page.locator("#messages .callout-warning")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("Safety warning")
    warning_first = page.evaluate(
        """() => {
            const warning = document.querySelector('#messages .callout-warning');
            const step = document.querySelector('#messages li[data-kind=step]');
            const order = warning.compareDocumentPosition(step);
            return Boolean(order & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    assert warning_first
    expect(page.locator("#progress-label")).to_have_text("Cobra Stretch · step 1 of 4")


def test_next_chip_moves_to_step_two_and_updates_progress(page: Page) -> None:
    start_cobra(page)
    next_by_chip(page, 2)
    expect(page.locator("#progress-label")).to_contain_text("2 of 4")
    expect(page.locator("#progress-label")).to_contain_text("Cobra Stretch")


def test_reply_audio_is_queued_warning_first_and_served_as_wav(page: Page) -> None:
    start_cobra(page)
    wait_until_idle(page)
    voiced = page.locator("#messages li[data-audio]")
    if voiced.count() == 0:
        pytest.skip("the app returned no audio (speech unavailable on this machine)")
    warning_audio = page.locator("#messages .callout-warning").get_attribute("data-audio")
    step_audio = steps(page).last.get_attribute("data-audio")
    player = page.locator("#player")
    # The queue starts with the warning; "ended" (sent by hand, so no waiting on real
    # playback) moves it to the step.
    page.wait_for_function("url => document.getElementById('player').src.endsWith(url)", arg=warning_audio)
    player.dispatch_event("ended")
    page.wait_for_function("url => document.getElementById('player').src.endsWith(url)", arg=step_audio)
    response = page.request.get(player.evaluate("audio => audio.src"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("audio/wav")
    assert response.body()[:4] == b"RIFF"


# Makes play() fail the way an autoplay policy does, until the test lifts the block.
REFUSE_PLAY = """
(() => {
  const realPlay = HTMLMediaElement.prototype.play;
  window.__refusePlay = true;
  HTMLMediaElement.prototype.play = function () {
    if (window.__refusePlay) {
      return Promise.reject(new DOMException("refused", "NotAllowedError"));
    }
    return realPlay.call(this);
  };
})();
"""


def player_src(page: Page) -> str:
    return page.locator("#player").evaluate("audio => audio.src")


def test_refused_autoplay_keeps_the_queue_until_the_next_gesture(page: Page) -> None:
    page.context.add_init_script(REFUSE_PLAY)
    start_cobra(page)
    wait_until_idle(page)
    warning_audio = page.locator("#messages .callout-warning").get_attribute("data-audio")
    if warning_audio is None:
        pytest.skip("the app returned no audio (speech unavailable on this machine)")
    expect(page.locator("#audio-hint")).to_be_visible()
    page.evaluate("window.__refusePlay = false")
    page.locator("#progress").click()
    expect(page.locator("#audio-hint")).to_be_hidden()
    assert player_src(page).endswith(warning_audio)


def test_voice_controls_are_remembered_and_applied(page: Page) -> None:
    page.goto("/")
    toggle = page.locator("#speaker")
    toggle.click()
    page.get_by_text("Fast", exact=True).click()
    page.reload()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#speed-fast")).to_be_checked()
    send(page, COBRA)
    expect(steps(page).last).to_contain_text("Step 1 of 4")
    wait_until_idle(page)
    expect(page.locator("#speed-fast")).to_be_checked()  # the reply's rate: the server took it
    assert "/api/speech/" not in player_src(page), "speech is off: nothing may play"
    if page.locator("#messages li[data-audio]").count() == 0:
        pytest.skip("the app returned no audio (speech unavailable on this machine)")
    toggle.click()
    send(page, "repeat")
    page.wait_for_function("() => document.getElementById('player').src.includes('/api/speech/')")
    # The server speaks at the conversation's rate; the page never multiplies it.
    assert page.locator("#player").evaluate("audio => audio.playbackRate") == 1
    page.get_by_role("button", name="Stop speaking").click()
    assert page.locator("#player").evaluate("audio => audio.paused")


def test_the_speed_control_follows_the_conversation_rate(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#speed-normal")).to_be_checked()
    send(page, "speak slower")
    expect(page.locator("#messages li[data-from=bot]").last).to_contain_text("slowly")
    expect(page.locator("#speed-slow")).to_be_checked()
    wait_until_idle(page)
    page.reload()
    expect(page.locator("#speed-slow")).to_be_checked()
    send(page, "faster")
    expect(page.locator("#speed-normal")).to_be_checked()


def test_choosing_a_speed_sends_it_with_the_next_chat_request(page: Page) -> None:
    page.goto("/")
    page.get_by_text("Fast", exact=True).click()
    with page.expect_request("**/api/chat") as request_info:
        send(page, COBRA)
    assert request_info.value.post_data_json["rate"] == "fast"
    expect(steps(page).last).to_contain_text("Step 1 of 4")
    wait_until_idle(page)
    expect(page.locator("#speed-fast")).to_be_checked()
    with page.expect_request("**/api/chat") as request_info:
        send(page, "next")
    assert request_info.value.post_data_json["rate"] is None  # the conversation keeps it
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    expect(page.locator("#speed-fast")).to_be_checked()


def test_the_page_shows_the_reply_fields_not_its_prose(page: Page) -> None:
    """A step's label is its `heading`, its text its `body`; offer chips come from `offers`."""

    def rewritten(route) -> None:
        reply = route.fetch().json()
        for message in reply["messages"]:
            if message["kind"] == "step":
                message.update(text="unused prose", heading="Stage one", body="Lie face down.")
        reply["offers"] = [{"intent": "count_rep", "label": "Count one"}]
        route.fulfill(json=reply)

    page.goto("/")
    first = page.evaluate("() => JSON.parse(document.body.dataset.suggestions)")
    assert page.locator("#suggestions button").all_text_contents() == first
    page.route("**/api/chat", rewritten)
    send(page, COBRA)
    expect(steps(page).last.locator(".step-label")).to_have_text("Stage one")
    expect(steps(page).last).to_contain_text("Lie face down.")
    expect(steps(page).last).not_to_contain_text("unused prose")
    wait_until_idle(page)
    assert page.locator("#suggestions button").all_text_contents()[:2] == ["Next", "Count one"]
    page.unroute("**/api/chat")
    page.reload()  # the last reply's offers are kept with its suggestions
    expect(chip(page, "Count one")).to_be_visible()
    send(page, "next")
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    expect(chip(page, "Count one")).to_have_count(0)


def test_reload_keeps_the_transcript_and_the_conversation_goes_on(page: Page) -> None:
    start_cobra(page)
    next_by_chip(page, 2)
    wait_until_idle(page)
    page.reload()
    expect(page.locator("#messages")).to_contain_text("Step 2 of 4")
    expect(page.locator("#messages .callout-warning")).to_have_count(1)
    expect(page.locator("#progress-label")).to_contain_text("2 of 4")
    expect(page.locator("#welcome")).to_be_hidden()
    send(page, "next")
    expect(steps(page).last).to_contain_text("Step 3 of 4")
    expect(page.locator("#progress-label")).to_contain_text("3 of 4")


def test_new_conversation_forgets_everything(page: Page) -> None:
    start_cobra(page)
    wait_until_idle(page)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#messages li")).to_have_count(0)
    expect(page.locator("#progress")).to_be_hidden()
    expect(page.locator("#welcome")).to_be_visible()
    page.reload()
    expect(page.locator("#welcome")).to_be_visible()
    expect(page.locator("#messages li")).to_have_count(0)


def test_markup_typed_by_the_person_is_shown_as_text(page: Page, dialogs: list[str]) -> None:
    page.goto("/")
    send(page, XSS)
    expect(page.locator("#messages li[data-from=user]")).to_have_text(re.compile(re.escape(XSS)))
    expect(page.locator("#messages li[data-from=bot]").first).to_be_visible()
    wait_until_idle(page)
    assert page.locator("#messages img").count() == 0
    assert page.locator("img").count() == 0
    assert dialogs == []


@pytest.mark.parametrize("in_progress", [False, True], ids=["welcome", "guiding"])
def test_narrow_screen_has_no_horizontal_scroll_and_large_targets(narrow_page: Page, in_progress: bool) -> None:
    page = narrow_page
    if in_progress:
        start_cobra(page)
        next_by_chip(page, 2)
        wait_until_idle(page)
    else:
        page.goto("/")
        expect(chip(page, "Cobra Stretch")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    small = page.evaluate(
        """min => [...document.querySelectorAll('button, input[type=text], .speed label')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.textContent.trim() || el.id, el.getBoundingClientRect().height])
            .filter(([, height]) => height < min)""",
        MIN_TAP_PX,
    )
    assert small == []


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {id: el.id, text: el.textContent.trim(), outline: style.outlineStyle,
                    outlineWidth: parseFloat(style.outlineWidth)};
        }"""
    )


def tab_until(page: Page, matches) -> dict:
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = focused(page)
        if matches(state):
            return state
    raise AssertionError(f"{MAX_TABS} Tab presses never reached the control")


def test_keyboard_alone_starts_an_exercise_and_moves_on(page: Page) -> None:
    page.goto("/")
    expect(chip(page, "Cobra Stretch")).to_be_visible()
    tab_until(page, lambda s: s["id"] == "message")
    page.keyboard.type("cobra stretch")
    page.keyboard.press("Enter")
    expect(steps(page).last).to_contain_text("Step 1 of 4")
    wait_until_idle(page)
    state = tab_until(page, lambda s: s["text"] == "Next")
    assert state["outline"] != "none" and state["outlineWidth"] >= 2, "focus must be visible"
    page.keyboard.press("Enter")
    expect(steps(page).last).to_contain_text("Step 2 of 4")
    expect(page.locator("#progress-label")).to_contain_text("2 of 4")


# ---------------------------------------------------------------- hold timer and offers

HOLD_SECONDS = 30  # step 4 of the cobra stretch: "Hold for a count of twenty to thirty"


def timer_time(page: Page):
    return page.locator("#timer .timer-time")


def start_cobra_hold(page: Page) -> None:
    """Step 4 of the cobra stretch, with the page clock under the test's control."""
    page.clock.install()
    start_cobra(page)
    for step in (2, 3, 4):
        next_by_chip(page, step)
    wait_until_idle(page)


def test_hold_step_offers_a_start_timer_chip_after_next(page: Page) -> None:
    start_cobra(page)
    expect(chip(page, "Start timer")).to_have_count(0)
    for step in (2, 3, 4):
        next_by_chip(page, step)
    wait_until_idle(page)
    labels = page.locator("#suggestions button").all_text_contents()
    assert labels[:2] == ["Next", "Start timer"]
    page.reload()  # the offer belongs to the step, and survives a reload with it
    expect(chip(page, "Start timer")).to_be_visible()
    send(page, "next")
    expect(page.locator("#messages .callout-complete")).to_have_count(1)
    expect(chip(page, "Start timer")).to_have_count(0)


def test_repetition_step_offers_a_done_chip_that_counts(page: Page) -> None:
    page.goto("/")
    send(page, "how do I do the multidirectional leg raises")
    expect(steps(page).last).to_contain_text("Step 1 of 5")
    send(page, "step 5")
    expect(steps(page).last).to_contain_text("Step 5 of 5")
    chip(page, "Done").click()
    expect(page.locator("#messages li[data-from=bot]").last).to_contain_text("Rep 1 of 10")
    expect(chip(page, "Done")).to_be_visible()  # still there for the next repetition


def test_hold_timer_counts_up_and_next_cancels_it(page: Page) -> None:
    start_cobra_hold(page)
    chip(page, "Start timer").click()
    expect(page.locator("#timer")).to_be_visible()
    expect(timer_time(page)).to_have_text(f"0 / {HOLD_SECONDS} s")
    expect(chip(page, "Start timer")).to_have_count(0)  # not while it runs
    page.clock.run_for(10_000)
    expect(timer_time(page)).to_have_text(f"10 / {HOLD_SECONDS} s")
    expect(page.locator("#timer-note")).to_have_text("10")
    send(page, "next")
    expect(page.locator("#messages .callout-complete")).to_have_count(1)
    expect(page.locator("#timer")).to_be_hidden()


def test_hold_timer_speaks_its_counts_through_the_queue(page: Page) -> None:
    start_cobra_hold(page)
    if page.locator("#messages li[data-audio]").count() == 0:
        pytest.skip("the app returned no audio (speech unavailable on this machine)")
    with page.expect_response("**/api/chat") as response_info:
        chip(page, "Start timer").click()
    counts = response_info.value.json()["timer"]["counts"]
    first = counts[0]
    page.clock.run_for(first["at"] * 1000)
    expect(page.locator("#timer-note")).to_have_text(first["text"])
    # The count waits behind "Timer started…" if that is still playing; "ended" moves on.
    for _ in range(2):
        if player_src(page).endswith(first["audio"]):
            break
        page.locator("#player").dispatch_event("ended")
    assert player_src(page).endswith(first["audio"])


def test_hold_timer_says_time_is_up_then_closes(page: Page) -> None:
    start_cobra_hold(page)
    chip(page, "Start timer").click()
    expect(page.locator("#timer")).to_be_visible()
    page.clock.run_for((HOLD_SECONDS + 1) * 1000)
    expect(timer_time(page)).to_have_text(f"{HOLD_SECONDS} / {HOLD_SECONDS} s")
    expect(page.locator("#timer-note")).to_contain_text("Time is up")
    expect(page.locator("#messages li[data-from=bot]").last).to_contain_text("Time is up")
    expect(chip(page, "Start timer")).to_be_visible()  # another hold, if wanted
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator("#timer")).to_be_hidden()


def test_stop_timer_button_and_new_conversation_cancel_the_timer(page: Page) -> None:
    start_cobra_hold(page)
    chip(page, "Start timer").click()
    expect(page.locator("#timer")).to_be_visible()
    page.get_by_role("button", name="Stop timer").click()
    expect(page.locator("#timer")).to_be_hidden()
    expect(page.locator("#messages li[data-from=bot]").last).to_have_text(re.compile("Timer stopped"))
    expect(page.locator("#message")).to_be_focused()
    chip(page, "Start timer").click()
    expect(page.locator("#timer")).to_be_visible()
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#timer")).to_be_hidden()
    page.clock.run_for((HOLD_SECONDS + 1) * 1000)  # nothing left to count
    expect(page.locator("#messages li")).to_have_count(0)


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
