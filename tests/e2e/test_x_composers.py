"""X's composers in real headless Chromium, on a fixture app that runs X's own editor
(Draft.js on React) in X's own structure: the home timeline, the compose dialog
(reached by SPA navigation, inside react-native-web's focus trap), the inline reply on
a status page and the quote dialog. Each is found, underlined and gated on click and
on Ctrl+Enter, and an override covers one post only."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import (
    SCREENSHOTS,
    WARN_DRAFT,
    WARN_PHRASE,
    WARN_RULE,
    X_EDITOR,
    X_HOME,
    X_POST,
    X_REPLY,
    gate,
    override_events,
    pill,
    published,
    type_into,
    wait_for_highlight,
)
from playwright.sync_api import Page, expect

Browser = Any  # conftest.Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

X_DIALOG = '[role="dialog"][aria-modal="true"]'
X_DIALOG_EDITOR = f"{X_DIALOG} {X_EDITOR}"
X_DIALOG_POST = f'{X_DIALOG} [data-testid="tweetButton"]'


def post_anyway(page: Page, justification: str) -> None:
    """Through the open gate: "Post anyway…", a reason, a justification, record."""
    dialog = gate(page)
    dialog.get_by_role("button", name="Post anyway…").click()
    dialog.locator("select").select_option(index=1)
    dialog.locator("textarea").click()
    page.keyboard.type(justification, delay=2)
    record = dialog.get_by_role("button", name="Record and post")
    expect(record).to_be_enabled()
    record.click()
    expect(dialog).to_have_count(0)


def pill_beside(page: Page, button: str) -> bool:
    """The pill sits on the button's row (not at the editor's corner)."""
    box = pill(page).bounding_box()
    target = page.locator(button).bounding_box()
    assert box is not None and target is not None
    middle = box["y"] + box["height"] / 2
    return target["y"] <= middle <= target["y"] + target["height"]


def test_home_timeline_composer_is_gated_on_click(browser: Browser) -> None:
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    expect(pill(page)).to_contain_text("1 warning")
    assert pill_beside(page, X_POST), "the pill sits beside the Post button"
    page.click(X_POST)
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0, "the gate held the post"
    page.screenshot(path=str(SCREENSHOTS / "x-home-gate.png"))
    before = len(override_events(browser.agent.audit()))
    post_anyway(page, "Approved by the comms team for the intern campaign.")
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    assert len(override_events(browser.agent.audit())) == before + 1
    popup = browser.popup()
    expect(popup.locator("#drift")).to_be_hidden()
    popup.close()
    page.close()


def test_home_timeline_ctrl_enter_override_posts(browser: Browser) -> None:
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0
    post_anyway(page, "Approved by the comms team for the intern campaign.")
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    page.close()


def test_two_posts_in_a_row_each_need_their_own_override(browser: Browser) -> None:
    page = browser.open(X_HOME)
    before = len(override_events(browser.agent.audit()))
    for n in (1, 2):
        type_into(page, X_EDITOR, f"{WARN_DRAFT} ({n})")
        wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
        page.click(X_POST)
        expect(gate(page)).to_be_visible()
        assert published(page).count() == n - 1, f"post {n} went out without the gate"
        post_anyway(page, f"Approved by the comms team, post number {n} of the campaign.")
        expect(published(page)).to_have_count(n)
    overrides = override_events(browser.agent.audit())[before:]
    assert len(overrides) == 2
    assert all(o["payload"]["findings"][0]["rule_id"] == WARN_RULE for o in overrides)
    page.close()


def test_compose_dialog_after_spa_navigation_inside_a_focus_trap(browser: Browser) -> None:
    page = browser.open(X_HOME)
    page.click('[data-testid="SideNav_NewTweet_Button"]')
    expect(page.locator(X_DIALOG_EDITOR)).to_be_visible()
    assert page.evaluate("location.pathname") == "/compose/post"
    type_into(page, X_DIALOG_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(X_DIALOG_POST)
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0
    page.screenshot(path=str(SCREENSHOTS / "x-compose-dialog-gate.png"))
    post_anyway(page, "Approved by the comms team for the intern campaign.")
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    expect(page.locator(X_DIALOG)).to_have_count(0)
    page.close()


def test_inline_reply_is_gated(browser: Browser) -> None:
    page = browser.open(X_REPLY)
    type_into(page, X_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(X_POST)
    expect(gate(page)).to_be_visible()
    gate(page).get_by_role("button", name="Edit post").click()
    assert published(page).count() == 0
    page.close()


def test_quote_dialog_is_gated(browser: Browser) -> None:
    page = browser.open(X_HOME)
    page.click('[data-testid="retweet"]')
    page.get_by_role("menuitem", name="Quote").click()
    expect(page.locator(f'{X_DIALOG} [data-testid="tweetText"]')).to_be_visible()
    type_into(page, X_DIALOG_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    post_anyway(page, "Approved by the comms team for the intern campaign.")
    expect(published(page)).to_have_count(1)
    page.close()
