"""The chat page in a real browser: the welcome, the warning first, quick replies, spoken replies,
the speed control, reloads, markup, small screens and the keyboard."""

from __future__ import annotations

import re

import pytest

from .harness import (
    COBRA,
    MAX_TABS,
    MIN_TAP_PX,
    XSS,
    Page,
    chip,
    expect,
    horizontal_overflow,
    next_by_chip,
    player_src,
    send,
    start_cobra,
    steps,
    wait_until_idle,
)

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
