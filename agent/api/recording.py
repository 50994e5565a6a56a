"""Handlers that write the audit log: overrides, feedback, acknowledgements.

Each answers only after the record is committed; a write that fails is a 503
``not_recorded`` (raised as NotRecorded, mapped at the edge), never a false success.
What a record names of the packs (ids, versions, the policy version) is the agent's own,
after :mod:`agent.api.claims` has checked the request's claims against the active packs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Final

from aiohttp import web
from pydantic import BaseModel

from agent.api.body import parse, reply
from agent.api.claims import check_policy_version, claimed_rule, overridden_rule
from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import (
    AUDIT,
    AUDIT_POOL,
    CHECK_POOL,
    FINGERPRINT_KEY,
    ON_RECORDED,
    PACKS,
    SETTINGS,
)
from agent.api.models import (
    AcknowledgeRequest,
    AcknowledgeResponse,
    FeedbackRequest,
    FeedbackResponse,
    OverrideRequest,
    OverrideResponse,
)
from agent.engine import Engine
from agent.engine.result import Category, Finding, Platform
from agent.events.records import (
    AcknowledgePayload,
    AuditRecord,
    EventKind,
    FeedbackPayload,
    FlaggedSpan,
    OverridePayload,
    fingerprint,
)

# Free text typed for IT goes into the log and upstream: it must not carry these.
_FORBIDDEN_IN_NOTES: Final = frozenset({Category.CREDENTIALS, Category.PERSONAL_DATA})


async def overrides(request: web.Request) -> web.Response:
    body = await parse(request, OverrideRequest)
    settings = request.app[SETTINGS]
    if body.reason not in settings.override_reasons:
        raise ApiError(
            ErrorCode.BAD_REASON,
            "reason must be one of: " + "; ".join(settings.override_reasons),
        )
    length = len(body.justification.strip())
    if length < settings.justification_min:
        raise ApiError(
            ErrorCode.JUSTIFICATION_TOO_SHORT,
            f"the justification needs at least {settings.justification_min} characters",
        )
    if length > settings.justification_max:
        raise ApiError(
            ErrorCode.JUSTIFICATION_TOO_LONG,
            f"the justification may have at most {settings.justification_max} characters",
        )
    engine = request.app[PACKS].current()
    key = request.app[FINGERPRINT_KEY]
    now = datetime.now(UTC)
    spans: list[FlaggedSpan] = []
    for item in body.findings:
        rule = overridden_rule(engine, item.pack, item.rule_id, body.platform, now)
        if not rule.overridable:
            contact = rule.contact or "your compliance team"
            raise ApiError(
                ErrorCode.NOT_OVERRIDABLE,
                f"rule {item.rule_id} cannot be overridden; contact {contact}",
            )
        spans.append(
            FlaggedSpan(
                rule_id=rule.rule_id,
                pack_id=rule.pack.id,
                pack_version=rule.pack.version,
                category=rule.category,
                severity=rule.severity,
                fingerprint=fingerprint(key, item.matched),
            )
        )
    await _screen(request, engine, body.justification, body.platform, "justification")
    payload = OverridePayload(
        platform=body.platform,
        reason=body.reason,
        justification=body.justification.strip(),
        findings=spans,
    )
    record = await _append(request, EventKind.OVERRIDE, payload)
    return reply(OverrideResponse(override_id=record.event_id))


async def feedback(request: web.Request) -> web.Response:
    body = await parse(request, FeedbackRequest)
    engine = request.app[PACKS].current()
    if body.pack is not None:
        owner = claimed_rule(engine, body.pack, body.rule_id).pack
    else:
        found = (engine.rule(ref.id, body.rule_id) for ref in engine.packs)
        rule = next((rule for rule in found if rule is not None), None)
        if rule is None:
            raise ApiError(ErrorCode.UNKNOWN_RULE, f"no active rule {body.rule_id!r}")
        owner = rule.pack
    comment = body.comment.strip() if body.comment else None
    if comment:
        limit = request.app[SETTINGS].justification_max
        if len(comment) > limit:
            raise ApiError(ErrorCode.INVALID_REQUEST, f"comment: at most {limit} characters")
        await _screen(request, engine, comment, Platform.LINKEDIN, "comment")
    payload = FeedbackPayload(
        rule_id=body.rule_id,
        pack_id=owner.id,
        pack_version=owner.version,
        kind=body.kind,
        comment=comment or None,
    )
    record = await _append(request, EventKind.FEEDBACK, payload)
    return reply(FeedbackResponse(feedback_id=record.event_id))


async def acknowledge(request: web.Request) -> web.Response:
    body = await parse(request, AcknowledgeRequest)
    current = check_policy_version(request.app[PACKS].current(), body.policy_version)
    payload = AcknowledgePayload(policy_version=current)
    record = await _append(request, EventKind.ACKNOWLEDGE, payload)
    return reply(AcknowledgeResponse(acknowledged_at=record.time))


async def _screen(
    request: web.Request, engine: Engine, note: str, platform: Platform, field: str
) -> None:
    """Refuse a note that would put personal data or a credential into the log."""
    result = await asyncio.get_running_loop().run_in_executor(
        request.app[CHECK_POOL], engine.check, note, platform, datetime.now(UTC)
    )
    hit: Finding | None = next(
        (f for f in result.findings if f.category in _FORBIDDEN_IN_NOTES), None
    )
    if hit is not None:
        code = (
            ErrorCode.JUSTIFICATION_REJECTED
            if field == "justification"
            else ErrorCode.COMMENT_REJECTED
        )
        what = "a credential" if hit.category is Category.CREDENTIALS else "personal data"
        raise ApiError(
            code,
            f"the {field} seems to contain {what} (rule {hit.rule_id}); "
            "describe the reason without it",
        )


async def _append(request: web.Request, kind: EventKind, payload: BaseModel) -> AuditRecord:
    audit = request.app[AUDIT]
    record = await asyncio.get_running_loop().run_in_executor(
        request.app[AUDIT_POOL], audit.append, kind, payload
    )
    for notify in request.app.get(ON_RECORDED, ()):
        notify()
    return record
