"""SECURITY.md threat 19: pack and policy versions come from the agent's active packs.

A request names versions and rules; the agent checks them against what it runs and
records its own values, so one client cannot rewrite what IT's report counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agent_helpers import (
    CODENAME,
    CORE_PACK,
    GOOD_JUSTIFICATION,
    audit_count,
    build_app,
    make_settings,
    override_body,
    post,
    serve_app,
)
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.keys import AUDIT, TOKEN

POLICY_VERSION = "test-core@1.0.0+test-extra@2.0.0"


async def test_an_override_naming_another_pack_version_is_refused(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    for version in ("0.9.0", "99999", "1.0.0 "):
        stale = {**CODENAME, "pack": {"id": "test-core", "version": version}}
        findings = [{**stale, "start": 0, "end": 19, "matched": "Project Nightingale"}]
        response = await post(client, "/v1/overrides", override_body(findings=findings), token)
        assert response.status == 409, version
        error = (await response.json())["error"]
        assert error["code"] == "version_mismatch"
        assert "1.0.0" in error["message"] and "check the text again" in error["message"]
    assert audit_count(app) == 0
    # The version the check answered with is accepted, and the agent's own is what is stored.
    assert (await post(client, "/v1/overrides", override_body(), token)).status == 200
    [record] = list(app[AUDIT])
    assert record.payload["findings"][0]["pack_version"] == "1.0.0"  # type: ignore[index]


async def test_feedback_naming_another_pack_version_is_refused(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    body = {"rule_id": "financial.results", "kind": "false_positive"}
    claimed = {**body, "pack": {"id": "test-extra", "version": "99.0.0"}}
    response = await post(client, "/v1/feedback", claimed, token)
    assert response.status == 409
    assert (await response.json())["error"]["code"] == "version_mismatch"
    assert audit_count(app) == 0
    current = {**body, "pack": {"id": "test-extra", "version": "2.0.0"}}
    assert (await post(client, "/v1/feedback", current, token)).status == 200
    assert (await post(client, "/v1/feedback", body, token)).status == 200
    versions = [(r.payload["pack_id"], r.payload["pack_version"]) for r in app[AUDIT]]
    assert versions == [("test-extra", "2.0.0"), ("test-extra", "2.0.0")]


async def test_only_the_active_policy_version_can_be_acknowledged(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    for claimed in ("99999", "test-core@1.0.0", POLICY_VERSION + "+x@1"):
        response = await post(client, "/v1/acknowledge", {"policy_version": claimed}, token)
        assert response.status == 409, claimed
        error = (await response.json())["error"]
        assert error["code"] == "version_mismatch"
        assert POLICY_VERSION in error["message"]
    assert audit_count(app) == 0
    response = await post(client, "/v1/acknowledge", {"policy_version": POLICY_VERSION}, token)
    assert response.status == 200
    [record] = list(app[AUDIT])
    assert record.payload == {"policy_version": POLICY_VERSION}


def _timed_pack(root: Path) -> Path:
    """A pack with one rule that applied in January 2020 and one only on LinkedIn."""
    (root / "rules").mkdir(parents=True)
    (root / "pack.yaml").write_text(
        'id: test-timed\nversion: "3.0.0"\ntitle: Timed rules\nowner: Agent tests\n'
        'contact: "ir@example.test"\npolicy:\n  title: Test policy\neffective: 2020-01-01\n'
    )
    (root / "rules" / "rules.yaml").write_text(
        """rules:
  - id: financial.quiet-period
    category: financial
    severity: warn
    active:
      from: 2020-01-01T00:00:00Z
      until: 2020-02-01T00:00:00Z
    message: The quiet period.
    policy:
      section: "7.2 Quiet periods"
    consequence: Investor Relations reviews it.
    match:
      type: phrases
      phrases: [monster quarter]
    examples:
      match:
        - text: "A monster quarter"
          at: 2020-01-15T00:00:00Z
      no_match: ["A quiet quarter"]
  - id: company_voice.linkedin-only
    category: company_voice
    severity: warn
    platforms: [linkedin]
    message: Speaking for the company.
    policy:
      section: "6.2 Spokespeople"
    consequence: Only spokespeople speak for the company.
    match:
      type: phrases
      phrases: [our official position]
    examples:
      match: ["This is our official position"]
      no_match: ["This is my position"]
"""
    )
    return root


@pytest.fixture
async def timed(aiohttp_client: Any, tmp_path: Path) -> tuple[TestClient[Any, Any], str]:
    settings = make_settings(tmp_path, pack_dirs=[CORE_PACK, _timed_pack(tmp_path / "timed")])
    app = build_app(settings)
    return await serve_app(aiohttp_client, app), app[TOKEN]


async def test_an_override_of_a_rule_outside_its_window_is_refused(
    timed: tuple[TestClient[Any, Any], str],
) -> None:
    client, token = timed
    # The check finds nothing now: the rule's window closed in 2020.
    check = await post(client, "/v1/check", {"text": "A monster quarter", "platform": "x"}, token)
    assert (await check.json())["findings"] == []
    quiet = {"rule_id": "financial.quiet-period", "pack": {"id": "test-timed", "version": "3.0.0"}}
    findings = [{**quiet, "start": 2, "end": 17, "matched": "monster quarter"}]
    response = await post(client, "/v1/overrides", override_body(findings=findings), token)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "rule_not_active"
    assert "outside its active period" in error["message"]


async def test_an_override_on_a_platform_the_rule_skips_is_refused(
    timed: tuple[TestClient[Any, Any], str],
) -> None:
    client, token = timed
    rule = {
        "rule_id": "company_voice.linkedin-only",
        "pack": {"id": "test-timed", "version": "3.0.0"},
    }
    findings = [{**rule, "start": 8, "end": 29, "matched": "our official position"}]
    on_x = override_body(findings=findings, platform="x")
    response = await post(client, "/v1/overrides", on_x, token)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "rule_not_active"
    on_linkedin = override_body(findings=findings, platform="linkedin")
    assert (await post(client, "/v1/overrides", on_linkedin, token)).status == 200


async def test_a_lone_surrogate_is_refused_and_the_next_override_recorded(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    """A string the audit log cannot encode never reaches it, in any field."""
    bad_pack = {**CODENAME, "pack": {"id": "test-core", "version": "1.0.0\ud800"}}
    feedback = {"rule_id": "financial.results", "kind": "other"}
    cases = [
        (
            "/v1/overrides",
            override_body(findings=[{**bad_pack, "start": 0, "end": 1, "matched": "x"}]),
        ),
        ("/v1/overrides", override_body(justification=GOOD_JUSTIFICATION + " \udc00")),
        ("/v1/feedback", {**feedback, "pack": {"id": "test-extra", "version": "\ud800"}}),
        ("/v1/feedback", {**feedback, "comment": "odd \ud800 one"}),
        ("/v1/acknowledge", {"policy_version": "\ud800"}),
    ]
    for path, body in cases:
        response = await post(client, path, body, token)
        assert response.status == 422, (path, await response.text())
        assert (await response.json())["error"]["code"] == "invalid_request"
    assert audit_count(app) == 0
    response = await post(client, "/v1/overrides", override_body(), token)
    assert response.status == 200, await response.text()
    assert audit_count(app) == 1
