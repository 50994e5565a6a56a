"""Each device's chain as the collector sees it: sequence gaps, forks and broken links, flagged.

An agent numbers its records 1, 2, 3, … and each names the one before it (``prev_hash`` is
the previous record's ``hash``).  The collector cannot recompute a hash (the agent keys it),
but it can check that the chain it receives holds together.  Nothing is refused for
breaking it: the event is stored and a row in ``integrity`` says what is wrong, for IT to
see (``postguard collector integrity``).  Flags are written in the same transaction as the
events they are about.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from agent.collector.devices import Device
from agent.collector.schema import AcceptedEvent

QUOTA_WINDOW_S: Final = 86400.0

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS integrity (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    seq         INTEGER,
    last_seq    INTEGER,
    event_id    TEXT,
    detail      TEXT NOT NULL,
    envelope    TEXT,
    detected_at REAL NOT NULL,
    resolved_at REAL
);
CREATE INDEX IF NOT EXISTS integrity_by_device ON integrity (device_id, kind);
"""


class FlagKind(StrEnum):
    GAP = "gap"  # sequence numbers seq..last_seq had not arrived when a later one did
    FORK = "fork"  # two different events with one seq, or both following the same record
    BROKEN_LINK = "broken_link"  # prev_hash is not the hash of the record numbered before it
    CONFLICT = "conflict"  # an event id sent again with other content (kept in ``envelope``)
    USER_CHANGED = "user_changed"  # events name another user than the device enrolled as


@dataclass(frozen=True)
class Flag:
    device_id: str
    kind: FlagKind
    seq: int | None
    last_seq: int | None
    event_id: str | None
    detail: str
    detected_at: float
    resolved_at: float | None


@dataclass
class BatchOutcome:
    added: int = 0
    repeated: int = 0  # already stored, identical: a resend
    flagged: list[FlagKind] = field(default_factory=list)
    quota_exceeded: bool = False
    retry_after_s: float | None = None


def admit_batch(
    conn: sqlite3.Connection,
    device: Device,
    events: Sequence[AcceptedEvent],
    *,
    received_at: float,
    quota_per_day: int,
) -> BatchOutcome:
    """Store ``events`` of ``device`` in order (inside the caller's transaction)."""
    outcome = BatchOutcome()
    used = _used_quota(conn, device.device_id, received_at)
    for accepted in events:
        stored = conn.execute(
            "SELECT envelope FROM events WHERE event_id = ?", (accepted.event_id,)
        ).fetchone()
        if stored is not None and _same_envelope(str(stored[0]), accepted.envelope_json):
            outcome.repeated += 1
            continue
        if stored is not None and _conflict_known(conn, accepted):
            outcome.repeated += 1
            continue
        if used >= quota_per_day:
            outcome.quota_exceeded = True
            outcome.retry_after_s = _quota_frees_in(conn, device.device_id, received_at)
            break
        used += 1
        if stored is not None:
            _flag(
                conn,
                device.device_id,
                FlagKind.CONFLICT,
                received_at,
                detail="this event id was sent again with different content",
                seq=accepted.event.seq,
                event_id=accepted.event_id,
                envelope=accepted.envelope_json,
            )
            outcome.flagged.append(FlagKind.CONFLICT)
            continue
        outcome.flagged.extend(_check_chain(conn, device, accepted, received_at))
        _insert(conn, device, accepted, received_at)
        outcome.added += 1
        _resolve_filled_gaps(conn, device.device_id, accepted.event.seq, received_at)
    return outcome


def _check_chain(
    conn: sqlite3.Connection, device: Device, accepted: AcceptedEvent, now: float
) -> list[FlagKind]:
    """Flags for one new event, checked against the device's events stored so far."""
    event, device_id = accepted.event, device.device_id
    seq, flagged = event.seq, []

    def flag(kind: FlagKind, detail: str, *, at: int = seq, last: int | None = None) -> None:
        _flag(
            conn,
            device_id,
            kind,
            now,
            detail=detail,
            seq=at,
            last_seq=last,
            event_id=event.event_id,
        )
        flagged.append(kind)

    same_seq = conn.execute(
        "SELECT event_id FROM events WHERE device_id = ? AND seq = ? LIMIT 1", (device_id, seq)
    ).fetchone()
    same_prev = conn.execute(
        "SELECT event_id, seq FROM events WHERE device_id = ? AND prev_hash = ? LIMIT 1",
        (device_id, event.prev_hash),
    ).fetchone()
    if same_seq is not None:
        flag(FlagKind.FORK, f"seq {seq} already holds event {same_seq[0]}")
    elif same_prev is not None:
        flag(FlagKind.FORK, f"follows the same record as event {same_prev[0]} (seq {same_prev[1]})")
    if seq > 1:
        before = {
            str(row[0])
            for row in conn.execute(
                "SELECT hash FROM events WHERE device_id = ? AND seq = ?", (device_id, seq - 1)
            )
        }
        if before and event.prev_hash not in before:
            flag(FlagKind.BROKEN_LINK, f"prev_hash is not the hash of seq {seq - 1}")
    for next_id, next_prev in conn.execute(
        "SELECT event_id, prev_hash FROM events WHERE device_id = ? AND seq = ?",
        (device_id, seq + 1),
    ).fetchall():
        if next_prev != event.hash:
            flag(
                FlagKind.BROKEN_LINK,
                f"seq {seq + 1} (event {next_id}) does not link to this seq {seq}",
                at=seq + 1,
            )
    (highest,) = conn.execute(
        "SELECT MAX(seq) FROM events WHERE device_id = ?", (device_id,)
    ).fetchone()
    expected = 1 if highest is None else int(highest) + 1
    if seq > expected:
        missing = f"{expected}" if seq == expected + 1 else f"{expected}..{seq - 1}"
        detail = f"seq {missing} had not arrived when seq {seq} did"
        flag(FlagKind.GAP, detail, at=expected, last=seq - 1)
    if event.user != device.user:
        detail = f"events name user {event.user!r}; the device enrolled as {device.user!r}"
        known = conn.execute(
            "SELECT 1 FROM integrity WHERE device_id = ? AND kind = ? AND detail = ? LIMIT 1",
            (device_id, FlagKind.USER_CHANGED.value, detail),
        ).fetchone()
        if known is None:
            flag(FlagKind.USER_CHANGED, detail)
    return flagged


def _insert(conn: sqlite3.Connection, device: Device, accepted: AcceptedEvent, now: float) -> None:
    event = accepted.event
    conn.execute(
        "INSERT INTO events (event_id, time, host, sourcetype, kind, user, received_at,"
        " token_name, envelope, device_id, seq, prev_hash, hash)"
        " VALUES (?, ?, ?, 'postguard:event', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            event.event_id,
            accepted.time,
            device.device_id,
            event.kind.value,
            event.user,
            now,
            device.enrolled_by,
            accepted.envelope_json,
            device.device_id,
            event.seq,
            event.prev_hash,
            event.hash,
        ),
    )


def _resolve_filled_gaps(conn: sqlite3.Connection, device_id: str, seq: int, now: float) -> None:
    """A late event may complete a gap: mark it resolved (the flag stays, as history)."""
    gaps = conn.execute(
        "SELECT id, seq, last_seq FROM integrity WHERE device_id = ? AND kind = ?"
        " AND resolved_at IS NULL AND seq <= ? AND last_seq >= ?",
        (device_id, FlagKind.GAP.value, seq, seq),
    ).fetchall()
    for flag_id, first, last in gaps:
        (present,) = conn.execute(
            "SELECT COUNT(DISTINCT seq) FROM events WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (device_id, first, last),
        ).fetchone()
        if int(present) == int(last) - int(first) + 1:
            conn.execute("UPDATE integrity SET resolved_at = ? WHERE id = ?", (now, flag_id))


def _same_envelope(stored: str, received: str) -> bool:
    # Compared as JSON, not text: rows stored by an earlier version kept the sender's key order.
    return stored == received or json.loads(stored) == json.loads(received)


def _conflict_known(conn: sqlite3.Connection, accepted: AcceptedEvent) -> bool:
    """A conflicting event sent again (a whole batch is resent) is flagged once."""
    row = conn.execute(
        "SELECT 1 FROM integrity WHERE kind = ? AND event_id = ? AND envelope = ? LIMIT 1",
        (FlagKind.CONFLICT.value, accepted.event_id, accepted.envelope_json),
    ).fetchone()
    return row is not None


def _used_quota(conn: sqlite3.Connection, device_id: str, now: float) -> int:
    """What the device stored in the last day: events, and conflicting copies kept as flags."""
    since = now - QUOTA_WINDOW_S
    (events,) = conn.execute(
        "SELECT COUNT(*) FROM events WHERE device_id = ? AND received_at > ?", (device_id, since)
    ).fetchone()
    (conflicts,) = conn.execute(
        "SELECT COUNT(*) FROM integrity WHERE device_id = ? AND kind = ? AND detected_at > ?",
        (device_id, FlagKind.CONFLICT.value, since),
    ).fetchone()
    return int(events) + int(conflicts)


def _quota_frees_in(conn: sqlite3.Connection, device_id: str, now: float) -> float:
    (oldest,) = conn.execute(
        "SELECT MIN(received_at) FROM events WHERE device_id = ? AND received_at > ?",
        (device_id, now - QUOTA_WINDOW_S),
    ).fetchone()
    if oldest is None:
        return QUOTA_WINDOW_S
    return max(1.0, float(oldest) + QUOTA_WINDOW_S - now)


def _flag(
    conn: sqlite3.Connection,
    device_id: str,
    kind: FlagKind,
    now: float,
    *,
    detail: str,
    seq: int | None = None,
    last_seq: int | None = None,
    event_id: str | None = None,
    envelope: str | None = None,
) -> None:
    conn.execute(
        "INSERT INTO integrity (device_id, kind, seq, last_seq, event_id, detail, envelope,"
        " detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (device_id, kind.value, seq, last_seq, event_id, detail, envelope, now),
    )


def list_flags(conn: sqlite3.Connection, device_id: str | None = None) -> list[Flag]:
    """Every flag, oldest first; of one device when ``device_id`` is given."""
    sql = (
        "SELECT device_id, kind, seq, last_seq, event_id, detail, detected_at, resolved_at"
        " FROM integrity"
    )
    params: tuple[str, ...] = ()
    if device_id is not None:
        sql += " WHERE device_id = ?"
        params = (device_id,)
    rows = conn.execute(sql + " ORDER BY detected_at, id", params).fetchall()
    return [
        Flag(
            device_id=str(r[0]),
            kind=FlagKind(r[1]),
            seq=r[2],
            last_seq=r[3],
            event_id=r[4],
            detail=str(r[5]),
            detected_at=float(r[6]),
            resolved_at=None if r[7] is None else float(r[7]),
        )
        for r in rows
    ]
