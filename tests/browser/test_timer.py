"""The hold timer and the step's offers in a real browser: counted aloud, paused, stopped, closed."""

from __future__ import annotations

import re

import pytest

from .harness import (
    Page,
    chip,
    expect,
    next_by_chip,
    player_src,
    send,
    start_cobra,
    steps,
    wait_until_idle,
)

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
