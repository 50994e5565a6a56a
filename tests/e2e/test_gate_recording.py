"""Never a false "recorded": when the agent cannot write the override to its audit log,
the Post gate posts nothing and says so, and posts once the record can be written.

A module of its own, so the agent's audit log starts empty and can be filled to its
size cap without touching the other tests' events.
"""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import (
    LINKEDIN,
    SCREENSHOTS,
    SHARE_EDITOR,
    SHARE_POST,
    WARN_DRAFT,
    WARN_PHRASE,
    WARN_RULE,
    fill_audit_log,
    gate,
    open_share_box,
    override_events,
    published,
    type_into,
    wait_for_highlight,
)
from playwright.sync_api import expect

Browser = Any  # conftest.Browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The smallest size cap the agent accepts; comments up to 10,000 characters fill it fast.
CAPPED = {"POSTGUARD_AUDIT_MAX_MB": "1", "POSTGUARD_JUSTIFICATION_MAX": "10000"}
JUSTIFICATION = (
    "Approved by the communications team for the intern welcome campaign; the wording "
    "was agreed with the head of talent acquisition before the announcement went out."
)


def test_an_override_the_agent_cannot_record_posts_nothing_and_says_so(browser: Browser) -> None:
    agent = browser.agent
    token = browser.token()
    assert token is not None
    agent.stop()
    agent.start(extra_env=CAPPED)
    assert fill_audit_log(agent.port, token, big_chars=9000) > 0

    page = browser.open(LINKEDIN)
    open_share_box(page)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    wait_for_highlight(page, "postguard-warn", WARN_PHRASE)
    page.click(SHARE_POST)
    dialog = gate(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Post anyway…").click()
    dialog.locator("select").select_option(index=1)
    dialog.locator("textarea").fill(JUSTIFICATION)
    record = dialog.get_by_role("button", name="Record and post")
    record.click()

    alert = dialog.get_by_role("alert")
    expect(alert).to_contain_text("Not recorded", timeout=10_000)
    expect(alert).to_contain_text("Nothing was posted")
    expect(dialog).to_be_visible()
    expect(record).to_be_enabled()  # the employee can try again
    page.screenshot(path=str(SCREENSHOTS / "linkedin-gate-not-recorded.png"))
    assert published(page).count() == 0, "a refused override posted the draft"
    assert agent.requests("POST /v1/overrides") == 1, "the override reached the agent once"
    assert override_events(agent.audit()) == [], "the agent stored an override it refused"

    # Space returns (here: the usual cap): the same dialog records and posts, once.
    agent.stop()
    agent.start()
    record.click()
    expect(published(page)).to_have_count(1)
    expect(published(page).first).to_have_text(WARN_DRAFT)
    expect(dialog).to_have_count(0)
    overrides = override_events(agent.audit())
    assert len(overrides) == 1
    assert overrides[0]["payload"]["justification"] == JUSTIFICATION
    assert overrides[0]["payload"]["findings"][0]["rule_id"] == WARN_RULE
    page.close()
