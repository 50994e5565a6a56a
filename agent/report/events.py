"""Reading the collector's database into typed events for the report.

The collector keeps each event as received; this is the boundary where those
JSON bodies become models.  Fields the report does not use are ignored, so an
agent newer than the report still counts; an event that cannot be read is
counted as skipped, never silently.

What an employee typed reaches IT's tools through here, so an event is read strictly
enough that every output can render it: JSON that is valid Unicode (no lone surrogate),
bounded strings, and a time between :data:`EARLIEST` and a day after the report is made.
Anything else is a bad event: skipped and counted, and the rest of the report stands.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.collector.store import open_db
from agent.errors import UserError

# No agent recorded anything before this; a clock reset to 1970 is a bad event, not a
# report fifty years wide.
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
# Clocks drift and time zones get confused; a day covers both.  Later than that is a clock
# set forward or a forged event.
FUTURE_SLACK: Final = timedelta(days=1)

# The agent's own bounds (agent/api/models.py) with room to spare: longer is not an agent's.
Name = Annotated[str, Field(max_length=200)]
Note = Annotated[str, Field(max_length=10_000)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FlaggedRule(_Lenient):
    rule_id: Name
    pack_id: Name
    pack_version: Name
    category: Name
    severity: Name


class OverridePayload(_Lenient):
    platform: Name | None = None
    reason: Name
    justification: Note
    findings: list[FlaggedRule] = Field(max_length=1_000)


class FeedbackPayload(_Lenient):
    rule_id: Name
    pack_id: Name | None = None
    pack_version: Name | None = None
    kind: Name
    comment: Note | None = None


class AcknowledgePayload(_Lenient):
    policy_version: Annotated[str, Field(max_length=4_000)]


class CheckPayload(_Lenient):
    """Optional: agents configured to record warned checks send these."""

    findings: list[FlaggedRule] = Field(max_length=1_000)


class _Event(_Lenient):
    event_id: Name
    time: datetime
    user: Name
    device_id: Name
    kind: Name
    payload: dict[str, object]


class _Envelope(_Lenient):
    event: _Event


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
    # Agents' heartbeats: the fleet section reads them (agent.report.fleet); they are no
    # one's activity, so they add no user, move no date and count in no rate.
    heartbeats: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, event: _Event, when: datetime) -> None:
        """Count ``event`` at ``when`` (its time in UTC); a payload it cannot read raises.

        The payload is read first, so a skipped event adds no user and moves no date.
        """
        if event.kind == "override":
            payload = OverridePayload.model_validate(event.payload)
            self.overrides.append(Override(when, event.user, payload))
        elif event.kind == "feedback":
            feedback = FeedbackPayload.model_validate(event.payload)
            self.feedback.append(Feedback(when, event.user, feedback))
        elif event.kind in ("acknowledge", "acknowledgement"):
            ack = AcknowledgePayload.model_validate(event.payload)
            self.acknowledgements.append(Acknowledgement(when, event.user, ack.policy_version))
        elif event.kind == "check":
            self.checks.append(Check(when, event.user, CheckPayload.model_validate(event.payload)))
        elif event.kind == "heartbeat":
            self.heartbeats += 1
            return
        else:
            self.skipped += 1
            return
        self.users.add(event.user)
        self.first = when if self.first is None else min(self.first, when)
        self.last = when if self.last is None else max(self.last, when)


def load_events(
    db_path: Path, since: datetime | None = None, now: datetime | None = None
) -> EventSet:
    """Every event at or after ``since`` (UTC), in time order; bad events are counted."""
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    conn = open_db(db_path, create=False)
    events = EventSet()
    try:
        cursor = conn.execute(
            "SELECT envelope FROM events WHERE time >= ? ORDER BY time",
            (since.timestamp() if since else 0.0,),
        )
        for (raw,) in cursor:
            try:
                # pydantic's JSON parser: it refuses lone surrogates and bounds nesting,
                # where Python's json accepts the one and recurses on the other.
                event = _Envelope.model_validate_json(raw).event
                when = _utc(event.time)
                if not EARLIEST <= when <= latest:
                    raise ValueError("time out of range")
                events.add(event, when)
            except (ValueError, ValidationError, OverflowError):
                events.skipped += 1
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{db_path}: cannot read events ({exc})") from None
    finally:
        conn.close()
    return events


def _utc(moment: datetime) -> datetime:
    """In UTC; an offset that pushes a date past year 1 or 9999 raises OverflowError."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
