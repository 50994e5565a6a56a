"""The report's fleet section: per device, its latest heartbeat and what needs IT's eye.

A device is in the fleet when it enrolled with the collector or sent a heartbeat.  Its row
is built from its latest heartbeat (dated no later than a day after the report is made, as
for every event) and from the latest event of any kind it sent ("last seen").  The fleet
ignores ``--since``: it is how the devices are now, and a device that went quiet before the
period is exactly one to name.

Flags:

- ``old_packs``: its heartbeat names a pack set older than the newest one seen in the fleet
  (a lower serial, or no synced set while others have one);
- ``unpaired``: no browser uses the agent's current token;
- ``not_uploading``: events were waiting and its last upload was more than the stale period
  before the report (or never);
- ``not_seen``: nothing arrived from it for the stale period (or ever).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from agent.collector.store import open_db
from agent.errors import UserError
from agent.report.events import EARLIEST, FUTURE_SLACK
from agent.report.model import DEFAULT_STALE_DAYS, Fleet, FleetDevice, FleetFlag

MAX_STALE_DAYS: Final = 3650
# A fleet this large is beyond the reference collector's use; the rest are counted, not shown.
MAX_DEVICES: Final = 100_000

_Short = Annotated[str, Field(max_length=200)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Pack(_Lenient):
    id: _Short
    version: _Short


class _Heartbeat(_Lenient):
    agent_version: _Short | None = None
    extension_version: _Short | None = None
    paired: bool | None = None
    packs_source: _Short | None = None
    packs: list[_Pack] = Field(default_factory=list, max_length=1_000)
    serial: int | None = Field(default=None, ge=0, le=2**53)
    sync_state: _Short | None = None
    pending: int | None = Field(default=None, ge=0, le=2**53)
    last_upload: AwareDatetime | None = None


class _Event(_Lenient):
    time: AwareDatetime
    user: _Short
    device_id: _Short
    payload: _Heartbeat


class _Envelope(_Lenient):
    event: _Event


@dataclass(frozen=True)
class _Beat:
    time: datetime
    user: str
    heartbeat: _Heartbeat


def load_fleet(db_path: Path, now: datetime, stale_days: int = DEFAULT_STALE_DAYS) -> Fleet:
    """The fleet section from the collector's database; unreadable heartbeats are counted."""
    latest = (now + FUTURE_SLACK).timestamp()
    conn = open_db(db_path, create=False)
    try:
        beats, skipped = _latest_heartbeats(conn, latest)
        seen = _last_seen(conn, latest)
        enrolled = _enrolled(conn)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{db_path}: cannot read events ({exc})") from None
    finally:
        conn.close()
    devices = sorted(set(beats) | set(enrolled))
    shown, hidden = devices[:MAX_DEVICES], len(devices) - min(len(devices), MAX_DEVICES)
    serials = [b.heartbeat.serial for b in beats.values() if b.heartbeat.serial is not None]
    newest = max(serials, default=None)
    cutoff = now - timedelta(days=stale_days)
    rows = [
        _row(device, beats.get(device), seen.get(device), enrolled.get(device), newest, cutoff)
        for device in shown
    ]
    rows.sort(key=lambda row: (-len(row.flags), row.device_id))
    return Fleet(
        stale_days=stale_days,
        newest_serial=newest,
        devices=rows,
        skipped=skipped + hidden,
    )


def _latest_heartbeats(conn: sqlite3.Connection, latest: float) -> tuple[dict[str, _Beat], int]:
    # SQLite takes the bare column (envelope) from the row holding the MAX(time).  The device
    # is the one the collector checked the event against; events imported unchecked (and
    # rows from before per-device chains) have only the envelope's host, the same device.
    rows = conn.execute(
        "SELECT COALESCE(device_id, host), envelope, MAX(time) FROM events "
        "WHERE kind = 'heartbeat' AND time >= ? AND time <= ? GROUP BY 1",
        (EARLIEST.timestamp(), latest),
    )
    beats: dict[str, _Beat] = {}
    skipped = 0
    for device_id, raw, _ in rows:
        try:
            event = _Envelope.model_validate_json(raw).event
            if event.device_id != device_id:
                raise ValueError("device mismatch")
            beats[str(device_id)] = _Beat(event.time.astimezone(UTC), event.user, event.payload)
        except (ValueError, ValidationError, OverflowError):
            skipped += 1
    return beats, skipped


def _last_seen(conn: sqlite3.Connection, latest: float) -> dict[str, datetime]:
    rows = conn.execute(
        "SELECT COALESCE(device_id, host), MAX(time) FROM events "
        "WHERE time >= ? AND time <= ? GROUP BY 1",
        (EARLIEST.timestamp(), latest),
    )
    return {str(device): datetime.fromtimestamp(when, UTC) for device, when in rows}


def _enrolled(conn: sqlite3.Connection) -> dict[str, str]:
    """Enrolled devices and their users; none for a database without the devices table."""
    try:
        rows = conn.execute("SELECT device_id, user FROM devices").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {str(device): str(user)[:200] for device, user in rows}


def _row(
    device: str,
    beat: _Beat | None,
    seen: datetime | None,
    enrolled_as: str | None,
    newest: int | None,
    cutoff: datetime,
) -> FleetDevice:
    flags: list[FleetFlag] = []
    hb = beat.heartbeat if beat else None
    if hb is not None:
        if newest is not None and (hb.serial is None or hb.serial < newest):
            flags.append("old_packs")
        if hb.paired is False:
            flags.append("unpaired")
        if hb.pending and (hb.last_upload is None or hb.last_upload < cutoff):
            flags.append("not_uploading")
    if seen is None or seen < cutoff:
        flags.append("not_seen")
    return FleetDevice(
        device_id=device[:200],
        user=beat.user if beat else enrolled_as,
        last_heartbeat=beat.time if beat else None,
        last_seen=seen,
        agent_version=hb.agent_version if hb else None,
        extension_version=hb.extension_version if hb else None,
        paired=hb.paired if hb else None,
        packs_source=hb.packs_source if hb else None,
        packs=[f"{p.id} {p.version}" for p in hb.packs] if hb else [],
        serial=hb.serial if hb else None,
        sync_state=hb.sync_state if hb else None,
        pending=hb.pending if hb else None,
        last_upload=hb.last_upload.astimezone(UTC) if hb and hb.last_upload else None,
        flags=flags,
    )
