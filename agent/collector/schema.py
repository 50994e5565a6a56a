"""What the collector accepts as an event: exactly an agent's audit record, every field bounded.

The shapes mirror ``agent.events.records`` (kinds and payloads) with the limits the agent's
API enforces, so anything an agent records passes and anything else - a kind no agent
sends, an unknown field, a 50 MB justification, a date in 2099 - is refused with the
field that is wrong.  Refusing keeps the event in the sender's outbox, where its status
shows why; nothing is stored half-checked.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from agent.engine.result import Category, Platform, Severity
from agent.events.records import (
    MAX_HEARTBEAT_PACKS,
    EventKind,
    FeedbackKind,
    HeartbeatReason,
    SyncStateName,
)
from agent.events.upload_wire import SOURCE, SOURCETYPE, HecEnvelope

# An agent offline for a long time still delivers; a year and a month covers it.
MAX_EVENT_AGE_S: Final = 400 * 86400
# A clock running ahead: refused now, accepted once real time catches up (the agent retries).
MAX_CLOCK_SKEW_S: Final = 86400.0
# The envelope's epoch seconds are derived from the record's ISO time by the uploader.
_TIME_MATCH_S: Final = 0.001
_MAX_NOTE: Final = 10_000  # the API's bound on a justification or comment
_MAX_SEQ: Final = 2**53  # exact in every JSON reader


def _printable(value: str) -> str:
    if not value.isprintable():
        raise ValueError("must not contain control or format characters")
    return value


def _canonical_uuid(value: str) -> str:
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise ValueError("must be a UUID") from None
    if str(parsed) != value:
        raise ValueError("must be a UUID in its canonical lower-case form")
    return value


# A length constraint also makes pydantic refuse a lone surrogate.
Uuid = Annotated[
    str, StringConstraints(min_length=36, max_length=36), AfterValidator(_canonical_uuid)
]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_printable)]
Version = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(_printable)
]
UserName = Annotated[
    str, StringConstraints(min_length=1, max_length=256), AfterValidator(_printable)
]
Note = Annotated[str, StringConstraints(max_length=_MAX_NOTE)]
# The chain's digests: hex today; any short token without spaces is accepted, since the
# collector only compares them (it cannot recompute a keyed MAC).
ChainHash = Annotated[
    str, StringConstraints(min_length=16, max_length=256, pattern=r"^[A-Za-z0-9+/=:_.-]+$")
]
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FlaggedSpanIn(_Strict):
    rule_id: Name
    pack_id: Version
    pack_version: Version
    category: Category
    severity: Severity
    fingerprint: Fingerprint


class OverrideIn(_Strict):
    platform: Platform
    reason: Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]
    justification: Note
    findings: list[FlaggedSpanIn] = Field(min_length=1, max_length=100)


class FeedbackIn(_Strict):
    rule_id: Name
    pack_id: Version | None
    pack_version: Version | None
    kind: FeedbackKind
    comment: Note | None


class AcknowledgeIn(_Strict):
    # Every active pack at its version, as the API's acknowledgement allows.
    policy_version: Annotated[
        str, StringConstraints(min_length=1, max_length=4000), AfterValidator(_printable)
    ]


class PackInForceIn(_Strict):
    id: Version
    version: Version


class HeartbeatIn(_Strict):
    """An agent's state for the fleet view (``agent.events.records.HeartbeatPayload``)."""

    reason: HeartbeatReason
    agent_version: Version
    extension_version: Version | None
    paired: StrictBool
    packs_source: Name
    packs: list[PackInForceIn] = Field(max_length=MAX_HEARTBEAT_PACKS)
    serial: StrictInt | None = Field(ge=0, le=_MAX_SEQ)
    sync_state: SyncStateName | None
    pending: StrictInt = Field(ge=0, le=_MAX_SEQ)
    last_upload: AwareDatetime | None


PAYLOADS: Final[dict[EventKind, type[_Strict]]] = {
    EventKind.OVERRIDE: OverrideIn,
    EventKind.FEEDBACK: FeedbackIn,
    EventKind.ACKNOWLEDGE: AcknowledgeIn,
    EventKind.HEARTBEAT: HeartbeatIn,
}


class EventIn(_Strict):
    """The ``event`` object: an audit record as the uploader sends it."""

    event_id: Uuid
    seq: StrictInt = Field(ge=1, le=_MAX_SEQ)
    time: AwareDatetime
    user: UserName
    device_id: Uuid
    kind: EventKind
    payload: dict[str, JsonValue]
    prev_hash: ChainHash
    hash: ChainHash

    @model_validator(mode="after")
    def _payload_fits_kind(self) -> EventIn:
        model = PAYLOADS.get(self.kind)
        if model is None:
            raise ValueError(f"kind {self.kind.value!r} is not accepted by this collector")
        try:
            model.model_validate(self.payload)
        except ValidationError as exc:
            raise ValueError(f"payload.{_first_error(exc)}") from None
        return self


class EnrolIn(_Strict):
    """An enrolment request (``agent.events.upload_wire.EnrolRequest``), checked strictly."""

    device_id: Uuid
    user: UserName
    current_token: Annotated[str, StringConstraints(min_length=1, max_length=256)] | None = None


@dataclass(frozen=True)
class AcceptedEvent:
    """One checked event, with what the store indexes and the envelope to keep."""

    event: EventIn
    time: float
    envelope_json: str

    @property
    def event_id(self) -> str:
        return self.event.event_id


class EventRefused(ValueError):
    """An event the collector will not store; the message names the field, never its value."""


def check_envelope(envelope: HecEnvelope, *, device_id: str, now: float) -> AcceptedEvent:
    """The envelope as an accepted event of ``device_id`` (the sender's token), or EventRefused."""
    if envelope.model_extra:
        raise EventRefused(f"unexpected envelope field {sorted(envelope.model_extra)[0]!r}")
    if envelope.source != SOURCE or envelope.sourcetype != SOURCETYPE:
        raise EventRefused(f"source and sourcetype must be {SOURCE!r} and {SOURCETYPE!r}")
    try:
        event = EventIn.model_validate(envelope.event)
    except ValidationError as exc:
        raise EventRefused(_first_error(exc)) from None
    if event.device_id != device_id or envelope.host != device_id:
        raise EventRefused(f"the event claims another device than this token's ({device_id})")
    when = event.time.timestamp()
    if abs(envelope.time - when) > _TIME_MATCH_S:
        raise EventRefused("envelope time and event time differ")
    if when > now + MAX_CLOCK_SKEW_S:
        raise EventRefused(f"time {_iso(event.time)} is in the future")
    if when < now - MAX_EVENT_AGE_S:
        raise EventRefused(f"time {_iso(event.time)} is more than 400 days old")
    return AcceptedEvent(event=event, time=when, envelope_json=envelope_text(envelope))


def envelope_text(envelope: HecEnvelope) -> str:
    """The stored form of an envelope: compact JSON, so a resend compares byte for byte."""
    return json.dumps(envelope.model_dump(mode="json"), separators=(",", ":"), sort_keys=True)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_input=False)[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message
    return ".".join(_safe(str(part)) for part in error["loc"]) + f": {message}"


def _safe(name: str) -> str:
    """A field name as the sender spelled it, fit for a log line and an answer: short, inert."""
    return name if name.isprintable() and len(name) <= 60 else repr(name[:60])


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
