"""Overrides, feedback and acknowledgements: what is accepted, refused, and recorded."""

from __future__ import annotations

from typing import Any

from agent_helpers import CODENAME, audit_count, override_body, post
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.keys import AUDIT

PASSWORD = {"rule_id": "credentials.password", "pack": {"id": "test-core", "version": "1.0.0"}}


async def test_an_override_is_recorded_with_a_fingerprint_not_the_text(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    response = await post(client, "/v1/overrides", override_body(), token)
    assert response.status == 200
    override_id = (await response.json())["override_id"]
    [record] = list(app[AUDIT])
    assert record.event_id == override_id
    assert record.kind == "override"
    finding = record.payload["findings"][0]  # type: ignore[index]
    assert finding["rule_id"] == "confidential.codename"
    assert finding["category"] == "confidential"
    assert len(finding["fingerprint"]) == 64
    assert "Nightingale" not in record.model_dump_json()


async def test_reason_must_be_a_preset(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    response = await post(client, "/v1/overrides", override_body(reason="because"), token)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "bad_reason"
    assert audit_count(app) == 0


async def test_justification_length_is_enforced(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    short = await post(client, "/v1/overrides", override_body(justification="ok fine"), token)
    assert (await short.json())["error"]["code"] == "justification_too_short"
    padded = await post(
        client, "/v1/overrides", override_body(justification="  ok fine" + " " * 30), token
    )
    assert (await padded.json())["error"]["code"] == "justification_too_short"
    long = await post(client, "/v1/overrides", override_body(justification="x" * 1001), token)
    assert (await long.json())["error"]["code"] == "justification_too_long"
    assert audit_count(app) == 0


async def test_a_justification_cannot_smuggle_personal_data_or_secrets(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    for text, what in (
        ("Approved by jane.doe@example.com yesterday", "personal data"),
        ("It is fine, the password is Hunter2Hunter2 anyway", "a credential"),
    ):
        response = await post(client, "/v1/overrides", override_body(justification=text), token)
        assert response.status == 422
        error = (await response.json())["error"]
        assert error["code"] == "justification_rejected"
        assert what in error["message"]
        assert "jane.doe" not in error["message"] and "Hunter2" not in error["message"]
    assert audit_count(app) == 0


async def test_non_overridable_rules_are_refused_with_a_contact(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    findings = [{**PASSWORD, "start": 0, "end": 22, "matched": "password is Hunter22!!"}]
    response = await post(client, "/v1/overrides", override_body(findings=findings), token)
    assert response.status == 403
    error = (await response.json())["error"]
    assert error["code"] == "not_overridable"
    assert "compliance@example.test" in error["message"]  # the last layer's contact
    assert audit_count(app) == 0


async def test_unknown_rules_are_refused(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    findings = [{**CODENAME, "rule_id": "nope", "start": 0, "end": 1, "matched": "x"}]
    response = await post(client, "/v1/overrides", override_body(findings=findings), token)
    assert (await response.json())["error"]["code"] == "unknown_rule"
    assert audit_count(app) == 0


async def test_feedback_is_recorded_and_its_comment_screened(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    body = {"rule_id": "financial.results", "kind": "false_positive", "comment": "Public news"}
    response = await post(client, "/v1/feedback", body, token)
    assert response.status == 200
    feedback_id = (await response.json())["feedback_id"]
    [record] = list(app[AUDIT])
    assert record.event_id == feedback_id
    assert record.payload["pack_id"] == "test-extra"
    leaky = {**body, "comment": "call me at jane.doe@example.com"}
    response = await post(client, "/v1/feedback", leaky, token)
    assert (await response.json())["error"]["code"] == "comment_rejected"
    unknown = await post(client, "/v1/feedback", {**body, "rule_id": "nope"}, token)
    assert (await unknown.json())["error"]["code"] == "unknown_rule"
    assert audit_count(app) == 1


async def test_acknowledgement_shows_in_status(client: TestClient[Any, Any], token: str) -> None:
    policy = await (await post(client, "/v1/policy", {}, token)).json()
    assert policy["policy_version"] == "test-core@1.0.0+test-extra@2.0.0"
    assert policy["justification_min"] == 20
    assert "3.1 Confidential information" in policy["packs"][0]["sections"]
    status = await (await post(client, "/v1/status", {}, token)).json()
    assert status["acknowledgement"] is None and not status["policy_acknowledged"]
    response = await post(
        client, "/v1/acknowledge", {"policy_version": policy["policy_version"]}, token
    )
    assert response.status == 200
    status = await (await post(client, "/v1/status", {}, token)).json()
    assert status["policy_acknowledged"]
    assert status["acknowledgement"]["policy_version"] == policy["policy_version"]
    assert status["pending_uploads"] == 1
    assert status["packs"] == [
        {"id": "test-core", "version": "1.0.0"},
        {"id": "test-extra", "version": "2.0.0"},
    ]


async def test_check_reports_utf16_spans_and_elapsed_time(
    client: TestClient[Any, Any], token: str
) -> None:
    response = await post(
        client, "/v1/check", {"text": "😀 project nightingale", "platform": "x"}, token
    )
    body = await response.json()
    assert body["verdict"] == "warn"
    [finding] = body["findings"]
    assert (finding["start"], finding["end"]) == (3, 22)
    assert body["elapsed_ms"] >= 0
