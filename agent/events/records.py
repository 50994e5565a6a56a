"""What the audit log records: event kinds, their payloads, and the stored record.

These models are the privacy promise in code: a payload has no field for the draft.  A
matched span is kept only as a keyed fingerprint (HMAC-SHA256 with a per-device secret), so
IT can count repeats of the same span without anyone being able to read it back.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from agent.engine.result import Category, Platform, Severity


class EventKind(StrEnum):
    OVERRIDE = "override"
    FEEDBACK = "feedback"
    ACKNOWLEDGE = "acknowledge"


class FeedbackKind(StrEnum):
    FALSE_POSITIVE = "false_positive"
    UNCLEAR = "unclear"
    OTHER = "other"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FlaggedSpan(_Payload):
    rule_id: str
    pack_id: str
    pack_version: str
    category: Category
    severity: Severity
    fingerprint: str = Field(description="hex HMAC-SHA256 of the matched text, per-device key")


class OverridePayload(_Payload):
    platform: Platform
    reason: str
    justification: str
    findings: list[FlaggedSpan]


class FeedbackPayload(_Payload):
    rule_id: str
    pack_id: str | None
    pack_version: str | None
    kind: FeedbackKind
    comment: str | None


class AcknowledgePayload(_Payload):
    policy_version: str


Payload = OverridePayload | FeedbackPayload | AcknowledgePayload


class AuditRecord(BaseModel):
    """One stored event; ``hash`` chains it to the record before it (``prev_hash``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str
    seq: int
    time: datetime
    user: str
    device_id: str
    kind: EventKind
    payload: dict[str, JsonValue]
    prev_hash: str
    hash: str
    uploaded_at: datetime | None = None


def fingerprint(key: str, matched: str) -> str:
    return hmac.new(
        key.encode(), matched.encode("utf-8", "surrogatepass"), hashlib.sha256
    ).hexdigest()
