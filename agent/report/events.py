"""Reading the collector's database into typed events for the report.

The collector keeps each event as received; this is the boundary where those
JSON bodies become models.  Fields the report does not use are ignored, so an
agent newer than the report still counts; an event that cannot be read is
counted as skipped, never silently.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.collector.store import open_db
from agent.errors import UserError


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FlaggedRule(_Lenient):
    rule_id: str
    pack_id: str
    pack_version: str
    category: str
    severity: str


class OverridePayload(_Lenient):
    platform: str | None = None
    reason: str
    justification: str
    findings: list[FlaggedRule]


class FeedbackPayload(_Lenient):
    rule_id: str
    pack_id: str | None = None
    pack_version: str | None = None
    kind: str
    comment: str | None = None


class AcknowledgePayload(_Lenient):
    policy_version: str


class CheckPayload(_Lenient):
    """Optional: agents configured to record warned checks send these."""

    findings: list[FlaggedRule]


class _Event(_Lenient):
    event_id: str
    time: datetime
    user: str
    device_id: str
    kind: str
    payload: dict[str, object]


@dataclass(frozen=True)
class Override:
    time: datetime
    user: str
    payload: OverridePayload


@dataclass(frozen=True)
class Feedback:
    time: datetime
    user: str
    payload: FeedbackPayload


@dataclass(frozen=True)
class Acknowledgement:
    time: datetime
    user: str
    policy_version: str


@dataclass(frozen=True)
class Check:
    time: datetime
    user: str
    payload: CheckPayload


@dataclass
class EventSet:
    overrides: list[Override] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    users: set[str] = field(default_factory=set)
    skipped: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, event: _Event) -> None:
        when = event.time if event.time.tzinfo else event.time.replace(tzinfo=UTC)
        self.users.add(event.user)
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)
        if event.kind == "override":
            self.overrides.append(
                Override(when, event.user, OverridePayload.model_validate(event.payload))
            )
        elif event.kind == "feedback":
            self.feedback.append(
                Feedback(when, event.user, FeedbackPayload.model_validate(event.payload))
            )
        elif event.kind in ("acknowledge", "acknowledgement"):
            ack = AcknowledgePayload.model_validate(event.payload)
            self.acknowledgements.append(Acknowledgement(when, event.user, ack.policy_version))
        elif event.kind == "check":
            self.checks.append(Check(when, event.user, CheckPayload.model_validate(event.payload)))
        else:
            self.skipped += 1


def load_events(db_path: Path, since: datetime | None = None) -> EventSet:
    """Every event at or after ``since`` (UTC), in time order."""
    conn = open_db(db_path, create=False)
    events = EventSet()
    try:
        cursor = conn.execute(
            "SELECT envelope FROM events WHERE time >= ? ORDER BY time",
            (since.timestamp() if since else 0.0,),
        )
        for (raw,) in cursor:
            try:
                envelope = json.loads(raw)
                events.add(_Event.model_validate(envelope.get("event")))
            except (ValueError, ValidationError, AttributeError):
                events.skipped += 1
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{db_path}: cannot read events ({exc})") from None
    finally:
        conn.close()
    return events
