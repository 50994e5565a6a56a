"""The extension in real headless Chromium against the real agent, on saved
LinkedIn and X composer pages served at the sites' own host names.

Tests run in file order and share one browser and one agent; the last one stops
the agent.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# The `browser` fixture (conftest.py): .context, .worker, .agent, .open(url), .popup().
Browser = Any

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LINKEDIN = "https://www.linkedin.com/feed/"
X_HOME = "https://x.com/home"
X_REPLY = "https://x.com/mayachen/status/1"

SHARE_EDITOR = '[data-testid="share-editor"]'
SHARE_POST = '[data-testid="share-post"]'
X_EDITOR = '[data-testid="tweetTextarea_0"]'
X_POST = '[data-testid="tweetButtonInline"]'

WARN_PHRASE = "Speaking on behalf of the company"
WARN_DRAFT = f"🚀🎉 {WARN_PHRASE}, we are thrilled to welcome our new interns!"
BLOCK_DRAFT = "Great quarter ahead, buy the stock before earnings 📈"
CLEAN_DRAFT = "Looking forward to the developer conference next week 👋"

# Ranges of each PostGuard highlight, read back from the page's own CSS.highlights.
READ_HIGHLIGHTS = """() => {
  const out = {};
  for (const name of ["postguard-info", "postguard-warn", "postguard-block"]) {
    const h = CSS.highlights.get(name);
    out[name] = h ? [...h].map((r) => r.toString()) : [];
  }
  return out;
}"""

LATENCY: list[dict[str, Any]] = []


def highlights(page: Page) -> dict[str, list[str]]:
    result: dict[str, list[str]] = page.evaluate(READ_HIGHLIGHTS)
    return result


def wait_for_highlight(page: Page, name: str, text: str, timeout_s: float = 5.0) -> float:
    """Seconds until `text` is highlighted under `name`."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if text in highlights(page)[name]:
            return time.perf_counter() - start
        time.sleep(0.01)
    raise AssertionError(f"{text!r} never highlighted as {name}; got {highlights(page)}")


def pill(page: Page) -> Locator:
    return page.locator("postguard-ui .pill").first


def gate(page: Page) -> Locator:
    return page.locator('postguard-ui .dialog[role="dialog"]')


def published(page: Page) -> Locator:
    return page.locator('[data-testid="published-item"]')


def type_into(page: Page, selector: str, text: str) -> None:
    page.click(selector)
    page.keyboard.type(text, delay=15)


def test_popup_shows_the_paired_agent_and_takes_the_acknowledgement(browser: Browser) -> None:
    popup = browser.popup()
    expect(popup.locator("#connection")).to_have_text("Connected")
    expect(popup.locator("#packs li").first).to_contain_text("baseline")
    expect(popup.locator("#pending")).to_have_text("0")
    expect(popup.locator("#ack")).to_be_visible()
    popup.screenshot(path=str(SCREENSHOTS / "popup-first-run.png"))
    popup.click("#ack-button")
    expect(popup.locator("#ack")).to_be_hidden()
    assert any(e.get("kind") == "acknowledge" for e in browser.agent.audit())
    popup.screenshot(path=str(SCREENSHOTS / "popup.png"))
    popup.close()


def test_violation_after_emoji_highlights_exactly_the_offending_characters(
    browser: Browser,
) -> None:
    page = browser.open(LINKEDIN)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    seconds = wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    LATENCY.append(_latency_sample(page, "linkedin", seconds))
    assert highlights(page)["postguard-warn"] == [WARN_PHRASE]
    expect(pill(page)).to_contain_text("1 warning")
    # The editor's own DOM is untouched: still Quill's single paragraph of text.
    assert page.eval_on_selector(SHARE_EDITOR, "e => e.querySelectorAll('*').length") == 1
    # Hovering the underline explains it.
    _hover_highlight(page)
    card = page.locator("postguard-ui .card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Speaking for the company")
    expect(card).to_contain_text("2.1")
    page.screenshot(path=str(SCREENSHOTS / "linkedin-composer-highlight.png"))
    page.close()


def test_highlights_follow_edits_across_lines_and_nested_draft_blocks(browser: Browser) -> None:
    page = browser.open(X_HOME)
    page.click(X_EDITOR)
    page.keyboard.type("First line 👩‍💻", delay=10)
    page.keyboard.press("Enter")
    page.keyboard.type(f"Second: {WARN_PHRASE.lower()} here", delay=10)
    seconds = wait_for_highlight(page, "postguard-warn", WARN_PHRASE.lower())
    LATENCY.append(_latency_sample(page, "x", seconds))
    assert highlights(page)["postguard-warn"] == [WARN_PHRASE.lower()]
    page.close()


def test_post_click_opens_the_gate_and_an_override_is_audited(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(SHARE_POST)
    dialog = gate(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_contain_text(WARN_PHRASE)
    assert published(page).count() == 0, "the gate held the post"
    page.screenshot(path=str(SCREENSHOTS / "linkedin-gate-dialog.png"))

    dialog.get_by_role("button", name="Post anyway…").click()
    record = dialog.get_by_role("button", name="Record and post")
    dialog.locator("select").select_option(index=1)
    dialog.locator("textarea").fill("Too short")
    expect(record).to_be_disabled()
    justification = "Approved by the comms team for the intern welcome campaign."
    dialog.locator("textarea").fill(justification)
    page.screenshot(path=str(SCREENSHOTS / "linkedin-gate-justification.png"))
    record.click()

    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    expect(dialog).to_have_count(0)
    overrides = [e for e in browser.agent.audit() if e.get("kind") == "override"]
    assert len(overrides) == 1
    dumped = json.dumps(overrides[0])
    assert justification in dumped
    assert "company_voice.on-behalf" in dumped
    assert WARN_DRAFT not in dumped, "the draft itself never reaches the audit log"
    page.close()


def test_ctrl_enter_is_gated_and_escape_returns_to_the_editor(browser: Browser) -> None:
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    # Focus is trapped in the dialog: Tab and Shift+Tab never leave it.
    inside = (
        "() => !!document.querySelector('postguard-ui')"
        ".shadowRoot.activeElement?.closest('.dialog')"
    )
    for key in ["Tab", "Tab", "Tab", "Shift+Tab", "Shift+Tab", "Shift+Tab"]:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"focus left the dialog after {key}"
    page.keyboard.press("Escape")
    expect(gate(page)).to_have_count(0)
    assert published(page).count() == 0
    assert page.evaluate("document.activeElement.dataset.testid") == "tweetTextarea_0"
    page.close()


def test_block_cannot_be_overridden_and_names_a_contact(browser: Browser) -> None:
    page = browser.open(X_REPLY)
    type_into(page, X_EDITOR, BLOCK_DRAFT)
    wait_for_highlight(page, "postguard-block", "buy the stock before earnings")
    expect(pill(page)).to_contain_text("Blocked")
    page.click(X_POST)
    dialog = gate(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("compliance team")
    expect(dialog.get_by_role("button", name="Post anyway…")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "x-reply-blocked-dialog.png"))
    dialog.get_by_role("button", name="Edit post").click()
    assert published(page).count() == 0
    page.close()


def test_clean_post_goes_through_untouched(browser: Browser) -> None:
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, CLEAN_DRAFT)
    expect(pill(page)).to_contain_text("Looks good")
    page.click(X_POST)
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(CLEAN_DRAFT)
    expect(gate(page)).to_have_count(0)
    page.close()


def test_applied_suggestion_leaves_the_editor_editable(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    _hover_highlight(page)
    page.locator("postguard-ui .card").get_by_role(
        "button", name="Replace with In my personal view"
    ).click()
    editor = page.locator(SHARE_EDITOR)
    expect(editor).to_have_text(WARN_DRAFT.replace(WARN_PHRASE, "In my personal view"))
    expect(pill(page)).to_contain_text("Looks good")
    assert highlights(page)["postguard-warn"] == []
    # Typing and deleting still work where the replacement landed.
    page.keyboard.type(" (really)")
    page.keyboard.press("Backspace")
    expect(editor).to_contain_text("In my personal view (really, we are thrilled")
    page.click(SHARE_POST)
    expect(published(page)).to_have_count(1)
    page.close()


def test_markup_drift_is_reported_in_the_popup(browser: Browser) -> None:
    page = browser.open(X_HOME)
    # A composer X might ship tomorrow: editable, a textbox, but none of our selectors.
    page.evaluate(
        """() => {
          const box = document.createElement("div");
          box.setAttribute("contenteditable", "true");
          box.setAttribute("role", "textbox");
          box.dataset.testid = "tweetTextarea_v2";
          document.querySelector('[data-testid="primaryColumn"]').prepend(box);
          box.focus();
        }"""
    )
    popup = browser.popup()
    expect(popup.locator("#drift")).to_contain_text("X changed its page layout")
    popup.close()
    page.close()


def test_stopped_agent_shows_offline_and_posting_still_works(browser: Browser) -> None:
    browser.agent.stop()
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, WARN_DRAFT)
    expect(pill(page)).to_contain_text("Agent offline")
    page.screenshot(path=str(SCREENSHOTS / "x-agent-offline.png"))
    page.click(X_POST)
    expect(published(page)).to_have_count(1)
    expect(gate(page)).to_have_count(0)
    page.close()
    _write_latency()


def _hover_highlight(page: Page) -> None:
    box = page.evaluate(
        """() => {
          const r = [...CSS.highlights.get("postguard-warn")][0].getClientRects()[0];
          return {x: r.left + r.width / 2, y: r.top + r.height / 2};
        }"""
    )
    page.mouse.move(box["x"], box["y"])


def _latency_sample(page: Page, site: str, seconds: float) -> dict[str, Any]:
    host = page.locator("postguard-ui")
    return {
        "site": site,
        "observed_ms": round(seconds * 1000, 1),
        "in_page_ms": float(host.get_attribute("data-last-latency-ms") or "nan"),
        "agent_ms": host.get_attribute("data-agent-ms"),
    }


def _write_latency() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    in_page = [s["in_page_ms"] for s in LATENCY]
    summary = {
        "what": "last keystroke → highlight painted (includes the 300 ms typing-pause debounce)",
        "samples": LATENCY,
        "median_in_page_ms": statistics.median(in_page) if in_page else None,
        "max_in_page_ms": max(in_page) if in_page else None,
    }
    (ARTIFACTS / "e2e-latency.json").write_text(json.dumps(summary, indent=2) + "\n")
