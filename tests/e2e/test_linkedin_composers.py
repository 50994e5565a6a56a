"""LinkedIn's composers in real headless Chromium, on a fixture app that runs
LinkedIn's editor (Quill) in LinkedIn's structure: the share box in its
focus-trapping modal, comments and replies, a comment box mounted after SPA
navigation, two comments in a row, the redesign's hashed class names and a submit
button PostGuard does not know; and the card's suggestions fitting what was matched."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import (
    COMMENT_EDITOR,
    COMMENT_SUBMIT,
    LINKEDIN,
    SCREENSHOTS,
    SHARE_EDITOR,
    SHARE_POST,
    WARN_DRAFT,
    WARN_PHRASE,
    WARN_RULE,
    card,
    gate,
    highlights,
    open_share_box,
    override_events,
    pill,
    published,
    type_into,
    wait_for_highlight,
)
from playwright.sync_api import Page, expect

Browser = Any  # conftest.Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JUSTIFICATION = "Approved by the comms team for the intern welcome campaign."
PROMOTION = "Drowning in tickets? Try ExampleDesk, it fixed our support queue"
CREDENTIAL_URL = "https://deploy:tok3n-abc@git.example.org"
CLONE = f"clone {CREDENTIAL_URL}/repo.git to start"


def post_anyway(page: Page, justification: str = JUSTIFICATION) -> None:
    """Through the open gate, typing as a person does (so a focus trap would bite)."""
    dialog = gate(page)
    dialog.get_by_role("button", name="Post anyway…").click()
    dialog.locator("select").select_option(index=1)
    dialog.locator("textarea").click()
    page.keyboard.type(justification, delay=2)
    expect(dialog.locator("textarea")).to_have_value(justification)
    record = dialog.get_by_role("button", name="Record and post")
    expect(record).to_be_enabled()
    record.click()
    expect(dialog).to_have_count(0)


def hover(page: Page, highlight: str) -> None:
    box = page.evaluate(
        """(name) => {
          const r = [...CSS.highlights.get(name)][0].getClientRects()[0];
          return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }""",
        highlight,
    )
    page.mouse.move(box["x"], box["y"])


def test_share_box_inside_its_focus_trapping_modal_is_gated_and_usable(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(SHARE_POST)
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0
    before = len(override_events(browser.agent.audit()))
    post_anyway(page)
    page.screenshot(path=str(SCREENSHOTS / "linkedin-share-box-posted.png"))
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    assert len(override_events(browser.agent.audit())) == before + 1
    page.close()


def test_two_comments_in_a_row_each_need_their_own_override(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    before = len(override_events(browser.agent.audit()))
    for n in (1, 2):
        type_into(page, COMMENT_EDITOR, WARN_DRAFT)
        wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
        page.click(COMMENT_SUBMIT)
        expect(gate(page)).to_be_visible()
        assert published(page).count() == n - 1, f"comment {n} went out without the gate"
        post_anyway(page, f"{JUSTIFICATION} Comment {n}.")
        expect(published(page)).to_have_count(n)
    overrides = override_events(browser.agent.audit())[before:]
    assert [o["payload"]["findings"][0]["rule_id"] for o in overrides] == [WARN_RULE, WARN_RULE]
    page.close()


def test_a_reply_to_a_comment_is_gated(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    page.locator("article.comments-comment-entity").get_by_role("button", name="Reply").click()
    reply_editor = "article.comments-comment-entity .ql-editor"
    type_into(page, reply_editor, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click("article.comments-comment-entity button[type=submit]")
    expect(gate(page)).to_be_visible()
    gate(page).get_by_role("button", name="Edit post").click()
    assert published(page).count() == 0
    page.close()


def test_a_comment_box_mounted_after_spa_navigation_is_gated(browser: Browser) -> None:
    page = browser.context.new_page()
    page.goto("https://www.linkedin.com/mynetwork/")
    page.get_by_role("link", name="Home").click()
    page.locator(COMMENT_EDITOR).wait_for()
    assert page.evaluate("location.pathname") == "/feed/"
    type_into(page, COMMENT_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0
    post_anyway(page)
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    page.close()


def test_hashed_class_names_still_find_composers_and_buttons(browser: Browser) -> None:
    page = browser.open(f"{LINKEDIN}?layout=hashed")
    assert page.locator("button.share-actions__primary-action").count() == 0
    page.get_by_role("button", name="Start a post").click()
    editor = '[role="dialog"] [role="textbox"]'
    type_into(page, editor, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.locator('[role="dialog"]').get_by_role("button", name="Post").click()
    expect(gate(page)).to_be_visible()
    gate(page).get_by_role("button", name="Edit post").click()
    assert published(page).count() == 0
    popup = browser.popup()
    expect(popup.locator("#connection")).to_have_text("Connected")
    expect(popup.locator("#drift")).to_be_hidden()
    popup.close()
    page.close()


def test_an_unknown_submit_button_still_gates_through_the_form(browser: Browser) -> None:
    page = browser.open(f"{LINKEDIN}?layout=icon-submit")
    editor = '[data-urn] form [role="textbox"]'
    type_into(page, editor, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    # "Send now" is no name PostGuard knows, but the button submits the editor's form.
    page.get_by_role("button", name="Send now").click()
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 0
    post_anyway(page)
    expect(published(page)).to_have_count(1)
    # Ctrl+Enter is held too, and after the override the same keys are sent again.
    type_into(page, editor, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    assert published(page).count() == 1
    post_anyway(page)
    expect(published(page)).to_have_count(2)
    expect(published(page).nth(1)).to_have_text(WARN_DRAFT)
    popup = browser.popup()
    expect(popup.locator("#drift")).to_contain_text("found a composer but not its Post button")
    expect(popup.locator("#drift")).to_contain_text("Ctrl+Enter")
    popup.screenshot(path=str(SCREENSHOTS / "popup-partly-gated.png"), full_page=True)
    popup.close()
    page.close()


def test_a_disclosure_suggestion_adds_and_deletes_nothing(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, PROMOTION)
    wait_for_highlight(page, "postguard-warn", "Try ExampleDesk")
    hover(page, "postguard-warn")
    suggestions = card(page).locator(".suggestions button")
    expect(suggestions).to_have_text(["Add “#ExampleCoEmployee”"])
    suggestions.first.click()
    expect(page.locator(SHARE_EDITOR)).to_have_text(f"{PROMOTION} #ExampleCoEmployee")
    expect(pill(page)).to_contain_text("Looks good")
    page.close()


def test_a_credential_url_is_offered_a_placeholder_of_its_own_kind(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, CLONE)
    wait_for_highlight(page, "postguard-block", CREDENTIAL_URL)
    hover(page, "postguard-block")
    suggestions = card(page).locator(".suggestions button")
    expect(suggestions).to_have_text(["Replace with “https://USER:PASSWORD@git.example.org”"])
    suggestions.first.click()
    expect(page.locator(SHARE_EDITOR)).to_have_text(
        "clone https://USER:PASSWORD@git.example.org/repo.git to start"
    )
    expect(pill(page)).to_contain_text("Looks good")
    assert highlights(page)["postguard-block"] == []
    page.close()
