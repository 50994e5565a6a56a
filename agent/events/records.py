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
from typing import Annotated, Final, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, StringConstraints

from agent.engine.result import Category, Platform, Severity


class EventKind(StrEnum):
    OVERRIDE = "override"
    FEEDBACK = "feedback"
    ACKNOWLEDGE = "acknowledge"
    # The agent's own state for IT's fleet view; no one's activity (see HeartbeatPayload).
    HEARTBEAT = "heartbeat"


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


# The bounds the collector applies too (agent.collector.schema): ids and versions as the
# API bounds them, and room for many packs but not an unbounded list.
MAX_HEARTBEAT_PACKS: Final = 64
_Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
_Version = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# agent.sync.status.SyncStateName, spelled out: the records stay independent of sync.
SyncStateName = Literal["ok", "stale", "error", "pending", "disabled"]
HeartbeatReason = Literal["start", "daily"]


class PackInForce(_Payload):
    id: _Version
    version: _Version


class HeartbeatPayload(_Payload):
    """How this agent is, for IT's fleet view: versions, pairing, packs, sync and uploads.

    Nothing here is anyone's activity and nothing comes from a draft: the user and device
    are the record's own, as on every event.  ``extension_version`` stays None: the
    extension does not tell the agent its version.
    """

    reason: HeartbeatReason
    agent_version: _Version
    extension_version: _Version | None
    paired: bool = Field(description="a client has used the agent's current token")
    packs_source: _Id = Field(description="bundled, local, sync, ...")
    packs: list[PackInForce] = Field(max_length=MAX_HEARTBEAT_PACKS)
    serial: int | None = Field(ge=0, le=2**53, description="the synced set's serial")
    sync_state: SyncStateName | None = Field(description="None when sync status is unknown")
    pending: int = Field(ge=0, le=2**53, description="events waiting to upload, before this")
    last_upload: AwareDatetime | None = Field(description="when the collector last took some")


Payload = OverridePayload | FeedbackPayload | AcknowledgePayload | HeartbeatPayload


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
