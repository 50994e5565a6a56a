"""Issue 3, "Done when": a newcomer runs the agent, pairs, checks and overrides with curl as
docs/agent.md shows, and finds the override in ``postguard audit show``.

The requests are the page's own curl examples (URL, headers, body), read from the page and
sent unchanged except for the port, so the page cannot drift from what works.
"""

from __future__ import annotations

import json

import pytest
from cli_support import Home
from doc_commands import commands
from walkthrough_support import AGENT_DOC as DOC
from walkthrough_support import FINDING_KEYS, documented_calls, send

pytestmark = pytest.mark.slow


def test_pair_check_override_and_audit_as_documented(home: Home) -> None:
    page = DOC.read_text(encoding="utf-8")
    calls = documented_calls()
    agent_log = home.start_agent()

    assert "CODE=$(postguard pair --quiet)" in page
    code = home.run("pair", "--quiet").stdout.strip()
    token = send(calls["/v1/pair"], home, CODE=code)["token"]
    assert isinstance(token, str) and len(token) >= 32

    checked = send(calls["/v1/check"], home, TOKEN=token)
    assert checked["verdict"] == "warn"
    findings = checked["findings"]
    assert isinstance(findings, list)
    offered = [{key: f[key] for key in FINDING_KEYS} for f in findings]
    override_body = json.loads(calls["/v1/overrides"].data or "{}")
    for finding in override_body["findings"]:
        assert finding in offered, "the override example must copy a finding of the check"

    override_id = send(calls["/v1/overrides"], home, TOKEN=token)["override_id"]
    assert isinstance(override_id, str)

    assert ["audit", "show"] in commands(page, "postguard")
    shown = home.run("audit", "show").stdout
    assert "override" in shown and override_body["justification"] in shown
    records = [json.loads(line) for line in home.run("audit", "show", "--json").stdout.splitlines()]
    assert [r["event_id"] for r in records] == [override_id]
    assert (
        records[0]["payload"]["findings"][0]["rule_id"] == override_body["findings"][0]["rule_id"]
    )
    assert ["audit", "verify"] in commands(page, "postguard")
    assert "chain intact" in home.run("audit", "verify").stdout

    assert home.stop(agent_log) == 0
    # The privacy promise, on the way: neither the draft nor the token reached a file or log.
    draft = json.loads(calls["/v1/check"].data or "{}")["text"]
    unmatched_part = draft.split(",", 1)[1].strip().encode()
    for path in [agent_log, *home.data_dir.rglob("*")]:
        if path.is_file():
            content = path.read_bytes()
            assert unmatched_part not in content, path
            assert token.encode() not in content, path
