"""The extension in real headless Chromium against the real agent, on saved
LinkedIn and X composer pages served at the sites' own host names.

Tests run in file order and share one browser and one agent: the first one goes
through the first-install tab, the last ones stop and restart the agent.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from e2e_support import (
    BLOCK_DRAFT,
    CLEAN_DRAFT,
    FILLER,
    LINKED_DRAFT,
    LINKED_PHRASE,
    LINKED_RULE,
    LINKEDIN,
    SCREENSHOTS,
    SHARE_EDITOR,
    SHARE_POST,
    WARN_DRAFT,
    WARN_PHRASE,
    WARN_RULE,
    X_EDITOR,
    X_HOME,
    X_POST,
    X_REPLY,
    card,
    feedback_events,
    free_port,
    gate,
    highlights,
    hover_highlight,
    open_share_box,
    pack_rule,
    pill,
    published,
    timed_highlight,
    type_into,
    wait_for_highlight,
    write_latency,
)
from playwright.sync_api import Locator, Page, expect

# The fixtures in conftest.py: `installed` (just installed, unpaired) and `browser`
# (paired): .context, .worker, .agent, .welcome, .open(url), .popup(), .storage_set(),
# .stop_worker().
Browser = Any

pytestmark = [pytest.mark.browser, pytest.mark.slow]

X_DIALOG = '[role="dialog"][aria-modal="true"]'

# What is painted topmost over the open gate dialog and over PostGuard's other UI, read
# with elementFromPoint and followed down through shadow roots (the document's answer
# stops at a shadow host). Points spread over the dialog's title, description,
# findings and justification box must hit the dialog; the centre of each pill or card
# on show must hit the dialog's backdrop. Returns what else was found on top.
PAINTED_OVER_THE_GATE = """() => {
  const roots = [...document.querySelectorAll("postguard-ui")].map((h) => h.shadowRoot);
  const dialog = roots.map((r) => r.querySelector(".dialog")).find(Boolean);
  const backdrop = dialog.closest(".backdrop");
  const topmost = (x, y) => {
    let node = document.elementFromPoint(x, y);
    while (node?.shadowRoot) {
      const inner = node.shadowRoot.elementFromPoint(x, y);
      if (inner == null || inner === node) break;
      node = inner;
    }
    return node;
  };
  const name = (n) => (n ? `${n.localName}.${n.getAttribute("class") ?? ""}` : "nothing");
  const wrong = [];
  const parts = ["h2", ".lead", "ul.findings", "form:not([hidden]) textarea"];
  for (const part of parts.map((s) => dialog.querySelector(s)).filter(Boolean)) {
    const r = part.getBoundingClientRect();
    for (const fx of [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95]) {
      for (const fy of [0.25, 0.5, 0.75]) {
        const hit = topmost(r.left + r.width * fx, r.top + r.height * fy);
        if (!dialog.contains(hit)) wrong.push(`${name(part)} under ${name(hit)}`);
      }
    }
  }
  for (const ours of roots.flatMap((r) => [...r.querySelectorAll(".pill, .card")])) {
    const r = ours.getBoundingClientRect();
    if (ours.hidden || r.width === 0) continue;
    const hit = topmost(r.left + r.width / 2, r.top + r.height / 2);
    if (!backdrop.contains(hit)) wrong.push(`${name(ours)} over the backdrop`);
  }
  return [...new Set(wrong)];
}"""


def expect_nothing_over_the_gate(page: Page) -> None:
    expect(gate(page)).to_be_visible()
    assert page.evaluate(PAINTED_OVER_THE_GATE) == [], "PostGuard's own UI covers its gate"


def page_layer_on_top(page: Page) -> bool:
    """The pill and card on show are painted at their own centres (the card may cover
    the pill: both are PostGuard's page layer)."""
    expect(pill(page)).to_be_visible()
    return bool(
        page.evaluate(
            """() => [...document.querySelectorAll("postguard-ui")].every((host) => {
              const root = host.shadowRoot;
              return [...root.querySelectorAll(".pill, .card")].every((node) => {
                const r = node.getBoundingClientRect();
                if (node.hidden || r.width === 0) return true;
                const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return hit?.getRootNode() === root;
              });
            })"""
        )
    )


def test_first_install_opens_a_tab_that_asks_to_pair_and_acknowledge(installed: Browser) -> None:
    tab = installed.welcome
    tab.set_viewport_size({"width": 760, "height": 640})
    expect(tab.locator("#welcome")).to_be_visible()
    expect(tab.locator("#connection")).to_have_text("Not paired")
    expect(tab.locator("#pair")).to_be_visible()
    expect(tab.locator("#step-pair")).to_have_attribute("data-done", "false")
    expect(tab.locator("#ack")).to_be_hidden()  # only once the agent can record it
    tab.screenshot(path=str(SCREENSHOTS / "popup-first-run.png"))

    tab.fill("#pair-code", installed.agent.cli("pair", "--quiet").strip())
    tab.click("#pair-form button[type=submit]")
    expect(tab.locator("#connection")).to_have_text("Connected")
    expect(tab.locator("#step-pair")).to_have_attribute("data-done", "true")
    expect(tab.locator("#packs li").first).to_contain_text("baseline")
    expect(tab.locator("#ack")).to_be_visible()
    tab.screenshot(path=str(SCREENSHOTS / "popup-first-run-paired.png"))

    tab.click("#ack-button")
    expect(tab.locator("#ack")).to_be_hidden()
    expect(tab.locator("#step-ack")).to_have_attribute("data-done", "true")
    assert any(e.get("kind") == "acknowledge" for e in installed.agent.audit())
    tab.close()


def test_popup_shows_packs_uploads_and_pack_updates(browser: Browser) -> None:
    popup = browser.popup()
    expect(popup.locator("#connection")).to_have_text("Connected")
    # The acknowledgement is waiting for IT; this agent is not enrolled, so it stays here.
    expect(popup.locator("#pending")).to_have_text("1")
    expect(popup.locator("#uploads-note")).to_have_text(
        "Not enrolled with IT: events are kept on this computer."
    )
    # The e2e agent is given its packs as folders (pack_dirs: the baseline and the example
    # company's), so they read as a local folder, not as the bundle.
    expect(popup.locator("#last-sync")).to_have_text("Off · packs local folder")
    expect(popup.locator("#health")).to_be_hidden()
    popup.screenshot(path=str(SCREENSHOTS / "popup.png"), full_page=True)
    popup.close()


def test_violation_after_emoji_highlights_exactly_and_the_card_reports_a_false_positive(
    browser: Browser,
) -> None:
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    assert highlights(page)["postguard-warn"] == [WARN_PHRASE]
    expect(pill(page)).to_contain_text("1 warning")
    # The editor's own DOM is untouched: still Quill's single paragraph of text.
    assert page.eval_on_selector(SHARE_EDITOR, "e => e.querySelectorAll('*').length") == 1
    # Hovering the underline explains it, in the pack's own words.
    hover_highlight(page)
    expect(card(page)).to_be_visible()
    expect(card(page)).to_contain_text("Speaking for the company")
    expect_card_explains(card(page), pack_rule("baseline", WARN_RULE))
    page.screenshot(path=str(SCREENSHOTS / "linkedin-composer-highlight.png"))

    card(page).get_by_role("button", name="Report false positive").click()
    expect(card(page)).to_contain_text("Thanks, reported to IT")
    reports = feedback_events(browser.agent.audit())
    assert len(reports) == 1
    assert reports[0]["payload"]["rule_id"] == WARN_RULE
    assert reports[0]["payload"]["kind"] == "false_positive"
    dumped = json.dumps(reports[0])
    assert WARN_PHRASE not in dumped and "interns" not in dumped, "no draft text in feedback"
    page.close()


def test_popup_reports_a_false_positive_for_the_last_finding(browser: Browser) -> None:
    popup = browser.popup()
    last = popup.locator("#last")
    expect(last).to_be_visible()
    expect(last).to_contain_text("This speaks on behalf of the company")
    expect(popup.locator("#last-meta")).to_contain_text(WARN_RULE)
    popup.click("#report")
    expect(popup.locator("#report-status")).to_have_text("Thanks, reported to IT.")
    expect(popup.locator("#report")).to_be_disabled()
    popup.screenshot(path=str(SCREENSHOTS / "popup-last-finding.png"), full_page=True)
    reports = feedback_events(browser.agent.audit())
    assert len(reports) == 2
    assert reports[1]["payload"]["rule_id"] == WARN_RULE
    assert WARN_PHRASE not in json.dumps(reports[1])
    popup.close()


def test_highlights_follow_edits_across_lines_and_nested_draft_blocks(browser: Browser) -> None:
    page = browser.open(X_HOME)
    page.click(X_EDITOR)
    page.keyboard.type("First line 👩‍💻", delay=10)
    page.keyboard.press("Enter")
    page.keyboard.type(f"Second: {WARN_PHRASE.lower()} here", delay=10)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE.lower())
    assert highlights(page)["postguard-warn"] == [WARN_PHRASE.lower()]
    # Draft.js re-renders a block's nodes with the same text: the underline moves with it.
    page.evaluate(
        """() => {
          const editor = document.querySelector('[data-testid="tweetTextarea_0"]');
          const walker = document.createTreeWalker(editor, NodeFilter.SHOW_TEXT);
          const nodes = [];
          while (walker.nextNode()) nodes.push(walker.currentNode);
          for (const node of nodes) node.replaceWith(document.createTextNode(node.data));
        }"""
    )
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE.lower())
    assert highlights(page)["postguard-warn"] == [WARN_PHRASE.lower()]
    page.close()


def test_post_click_opens_the_gate_and_an_override_is_audited(browser: Browser) -> None:
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(SHARE_POST)
    dialog = gate(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_contain_text(WARN_PHRASE)
    assert published(page).count() == 0, "the gate held the post"
    # The share box is a modal: the dialog is drawn inside it, and still nothing of
    # PostGuard's (the pill beside the share box's Post button) paints over it.
    expect_nothing_over_the_gate(page)
    page.screenshot(path=str(SCREENSHOTS / "linkedin-gate-dialog.png"))

    dialog.get_by_role("button", name="Post anyway…").click()
    record = dialog.get_by_role("button", name="Record and post")
    dialog.locator("select").select_option(index=1)
    dialog.locator("textarea").fill("Too short")
    expect(record).to_be_disabled()
    justification = "Approved by the comms team for the intern welcome campaign."
    dialog.locator("textarea").fill(justification)
    expect_nothing_over_the_gate(page)
    page.screenshot(path=str(SCREENSHOTS / "linkedin-gate-justification.png"))
    record.click()

    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    expect(dialog).to_have_count(0)
    overrides = [e for e in browser.agent.audit() if e.get("kind") == "override"]
    assert len(overrides) == 1
    dumped = json.dumps(overrides[0])
    assert justification in dumped
    assert WARN_RULE in dumped
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


def test_nothing_of_ours_covers_the_gate_in_a_site_dialog_and_the_pill_returns(
    browser: Browser,
) -> None:
    page = browser.open(X_HOME)
    page.click('[data-testid="SideNav_NewTweet_Button"]')
    type_into(page, f"{X_DIALOG} {X_EDITOR}", WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    expect(pill(page)).to_contain_text("1 warning")
    page.click(f'{X_DIALOG} [data-testid="tweetButton"]')
    expect_nothing_over_the_gate(page)
    gate(page).get_by_role("button", name="Edit post").click()
    expect(gate(page)).to_have_count(0)
    # "Edit post" puts the caret on the finding: its card opens, with the pill behind.
    expect(page.locator("postguard-ui .card:not([hidden])")).to_be_visible()
    expect(pill(page)).to_contain_text("1 warning")
    assert page_layer_on_top(page), "the pill and card are back once the dialog is closed"
    assert published(page).count() == 0
    page.close()


def test_without_popovers_the_page_layer_steps_aside_for_a_dialog_in_a_site_modal(
    browser: Browser,
) -> None:
    """Chrome before 114 has no top layer for PostGuard to draw its dialog in."""
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    # The content script runs in its own JavaScript world, with prototypes of its own.
    cdp = page.context.new_cdp_session(page)
    worlds: list[int] = []

    def seen(event: dict[str, Any]) -> None:
        context = event["context"]
        if context.get("auxData", {}).get("type") == "isolated" and context["name"] == "PostGuard":
            worlds.append(context["id"])

    cdp.on("Runtime.executionContextCreated", seen)
    cdp.send("Runtime.enable")
    assert worlds, "the content script's world was not found"
    for world in worlds:
        cdp.send(
            "Runtime.evaluate",
            {"expression": "delete HTMLElement.prototype.showPopover", "contextId": world},
        )
    cdp.detach()
    page.click(SHARE_POST)
    expect_nothing_over_the_gate(page)
    page.keyboard.press("Escape")
    expect(gate(page)).to_have_count(0)
    expect(pill(page)).to_contain_text("1 warning")
    assert page_layer_on_top(page), "the page's layer is back once the dialog is closed"
    page.close()


def test_block_cannot_be_overridden_and_names_a_contact(browser: Browser) -> None:
    page = browser.open(X_REPLY)
    type_into(page, X_EDITOR, BLOCK_DRAFT)
    wait_for_highlight(page, "postguard-block", "buy the stock before earnings")
    expect(pill(page)).to_contain_text("Blocked")
    page.click(X_POST)
    dialog = gate(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("To publish this, contact")
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
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    hover_highlight(page)
    card(page).get_by_role("button", name="Replace with In my personal view").click()
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


def test_card_links_to_the_policy_section_the_pack_names(browser: Browser) -> None:
    pack, rule_id = LINKED_RULE
    rule = pack_rule(pack, rule_id)
    assert rule["policy"]["url"], "this rule's pack gives its section a link"
    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, LINKED_DRAFT)
    wait_for_highlight(page, "postguard-warn", LINKED_PHRASE)
    hover_highlight(page)
    expect(card(page)).to_be_visible()
    expect_card_explains(card(page), rule)
    page.close()


def expect_card_explains(shown: Locator, rule: dict[str, Any]) -> None:
    """The card gives the rule's reason, consequence, policy section (with its link
    when the pack has one), its advice and its replacements, as the pack words them."""
    expect(shown.locator(".message")).to_have_text(rule["message"])
    expect(shown.locator(".consequence")).to_have_text(rule["consequence"])
    policy = rule["policy"]
    expect(shown.locator(".policy")).to_have_text(
        f"Policy: {policy['title']}, § {policy['section']}"
    )
    link = shown.locator(".policy a")
    if policy["url"]:
        expect(link).to_have_attribute("href", policy["url"])
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    else:
        expect(link).to_have_count(0)
    expect(shown.locator(".advice li")).to_have_text(rule.get("suggestions", []))
    # A disclosure is added to the post; anything else stands in for the matched words.
    verb = "Add “{}”" if rule["category"] == "disclosure" else "Replace with “{}”"
    expect(shown.locator(".suggestions button")).to_have_text(
        [verb.format(r) for r in rule.get("replacements", [])]
    )


def test_an_unknown_composer_is_still_checked_and_its_drift_reported(browser: Browser) -> None:
    page = browser.open(X_HOME)
    # A composer X might ship tomorrow: editable, a textbox, none of X's test ids, and no
    # button PostGuard knows. It is still checked, and Ctrl+Enter in it is still held.
    page.evaluate(
        """() => {
          const box = document.createElement("div");
          box.setAttribute("contenteditable", "true");
          box.setAttribute("role", "textbox");
          box.dataset.testid = "tweetTextarea_v2";
          document.querySelector('[data-testid="primaryColumn"]').prepend(box);
          box.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && event.ctrlKey) box.dataset.posted = "yes";
          });
        }"""
    )
    type_into(page, '[data-testid="tweetTextarea_v2"]', WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.keyboard.press("Control+Enter")
    expect(gate(page)).to_be_visible()
    posted = page.eval_on_selector('[data-testid="tweetTextarea_v2"]', "e => e.dataset.posted")
    assert posted is None, "Ctrl+Enter reached the unknown composer"
    gate(page).get_by_role("button", name="Edit post").click()
    popup = browser.popup()
    expect(popup.locator("#drift")).to_contain_text("X changed its page layout")
    expect(popup.locator("#drift")).to_contain_text("found a composer but not its Post button")
    popup.close()
    page.close()


def test_checking_survives_service_worker_eviction(browser: Browser) -> None:
    browser.worker.evaluate("globalThis.postguardE2eMarker = 'before eviction'")
    challenges = browser.agent.requests("POST /v1/challenge")
    browser.stop_worker()
    # The content script's first message restarts the worker, which reloads the token
    # and settings from chrome.storage and proves the agent again before sending text.
    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    expect(pill(page)).to_contain_text("1 warning")
    assert browser.worker.evaluate("globalThis.postguardE2eMarker ?? null") is None, (
        "the worker was not restarted"
    )
    # Proved again (the worker challenges before every request; it keeps no proof).
    assert browser.agent.requests("POST /v1/challenge") > challenges
    page.close()


def test_keystroke_pause_to_highlight_latency(browser: Browser) -> None:
    samples: list[dict[str, Any]] = []
    for site, url, editor in [("linkedin", LINKEDIN, SHARE_EDITOR), ("x", X_HOME, X_EDITOR)]:
        page = browser.open(url)
        if site == "linkedin":
            open_share_box(page)
        page.click(editor)
        # Each draft differs from the one before, so every sample is a fresh check.
        bodies = [f"Note {i}. " for i in range(6)] + [f"{FILLER}({i}) " for i in range(6)]
        for body in bodies:
            ms = timed_highlight(page, body)
            samples.append({"site": site, "chars": len(body + WARN_PHRASE), "in_page_ms": ms})
        page.close()
    summary = write_latency(samples)
    assert len(summary["samples_ms"]) >= 20
    # The debounce is a floor: nothing is highlighted before the typing pause.
    assert min(summary["samples_ms"]) >= summary["debounce_ms"], summary["samples_ms"]


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


def test_fail_closed_holds_the_post_until_the_agent_answers(browser: Browser) -> None:
    # IT sets failMode through Chrome policy; headless Chromium only reads policy from
    # /etc, so the options page's layer stands in (managed precedence is unit-tested).
    browser.storage_set({"failMode": "closed"})
    try:
        page = browser.open(X_HOME)
        type_into(page, X_EDITOR, CLEAN_DRAFT)
        expect(pill(page)).to_contain_text("Agent offline")
        expect(pill(page)).to_have_attribute(
            "aria-label", "PostGuard: Agent offline. Posting waits for the agent"
        )
        page.click(X_POST)
        dialog = gate(page)
        expect(dialog).to_contain_text("Posting waits for the PostGuard agent")
        expect(dialog).to_contain_text("requires a policy check before posting")
        assert published(page).count() == 0, "fail-closed held the post"
        page.screenshot(path=str(SCREENSHOTS / "x-fail-closed-dialog.png"))

        # The agent comes back (its pack updates failing, for the popup test below).
        browser.agent.start(extra_env=_failing_sync_env())
        dialog.get_by_role("button", name="Try again").click()
        expect(published(page)).to_have_count(1)
        expect(published(page).first).to_have_text(CLEAN_DRAFT)
        expect(gate(page)).to_have_count(0)
        page.close()
    finally:
        browser.storage_set({"failMode": "open"})


def test_popup_warns_when_pack_updates_fail(browser: Browser) -> None:
    popup = browser.popup()
    expect(popup.locator("#connection")).to_have_text("Connected")
    # The first sync attempt comes within the 1 s poll interval; the popup refreshes itself.
    health = popup.locator("#health")
    expect(health).to_contain_text("Policy updates are failing", timeout=15_000)
    expect(health).to_contain_text("keeps enforcing the last good packs")
    expect(popup.locator("#last-sync")).to_have_text("Failing")
    popup.screenshot(path=str(SCREENSHOTS / "popup-sync-failing.png"), full_page=True)
    popup.close()


def _failing_sync_env() -> dict[str, str]:
    """Pack updates from an index nothing serves, checked at once."""
    public = Ed25519PrivateKey.generate().public_key()
    key = base64.b64encode(public.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()
    return {
        "POSTGUARD_SYNC__INDEX_URL": f"http://127.0.0.1:{free_port()}/index.json",
        "POSTGUARD_SYNC__TRUSTED_KEYS": key,
        "POSTGUARD_SYNC__POLL_INTERVAL_S": "1",
    }
