"""Enrolled devices: each has its own token, bound to its device id and enrolled user.

The enrolment token is shared by a whole group of machines, so it only lets a machine
enrol; events need the device token it gets in exchange.  A device id already enrolled
is not handed to whoever asks next: enrolling it again needs its current device token
(a rotation), or IT releasing it first (``postguard collector release-device``).
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Final

from agent.collector.digests import token_digest
from agent.events.upload_wire import DEVICE_TOKEN_PREFIX

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS devices (
    device_id    TEXT PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user         TEXT NOT NULL,
    enrolled_by  TEXT NOT NULL,
    enrolled_at  REAL NOT NULL
);
"""


class DeviceTaken(Exception):
    """The device id is enrolled already and the request did not prove it holds its token."""


@dataclass(frozen=True)
class Device:
    device_id: str
    user: str
    enrolled_by: str  # the name of the enrolment token it used


@dataclass(frozen=True)
class DeviceSummary:
    device: Device
    enrolled_at: float
    events: int
    highest_seq: int | None
    open_flags: int


def enrol(
    conn: sqlite3.Connection,
    device_id: str,
    user: str,
    *,
    enrolled_by: str,
    current_digest: str | None,
    now: float,
) -> str:
    """Issue a device token (inside the caller's transaction); only its digest is stored."""
    row = conn.execute(
        "SELECT token_sha256 FROM devices WHERE device_id = ?", (device_id,)
    ).fetchone()
    token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    if row is None:
        conn.execute(
            "INSERT INTO devices (device_id, token_sha256, user, enrolled_by, enrolled_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (device_id, token_digest(token), user, enrolled_by, now),
        )
        return token
    if current_digest is None or not hmac.compare_digest(str(row[0]), current_digest):
        raise DeviceTaken(device_id)
    # A rotation replaces the token only: the enrolled user stays what IT saw first, and
    # events naming someone else are flagged against it.
    conn.execute(
        "UPDATE devices SET token_sha256 = ? WHERE device_id = ?", (token_digest(token), device_id)
    )
    return token


def by_token(conn: sqlite3.Connection, digest: str) -> Device | None:
    # The digest is the primary lookup key: a timing difference reveals nothing usable
    # about a 256-bit token whose SHA-256 is what is compared.
    row = conn.execute(
        "SELECT device_id, user, enrolled_by FROM devices WHERE token_sha256 = ?", (digest,)
    ).fetchone()
    return None if row is None else Device(str(row[0]), str(row[1]), str(row[2]))


def release(conn: sqlite3.Connection, device_id: str) -> bool:
    return conn.execute("DELETE FROM devices WHERE device_id = ?", (device_id,)).rowcount > 0


def summaries(conn: sqlite3.Connection) -> list[DeviceSummary]:
    rows = conn.execute(
        "SELECT d.device_id, d.user, d.enrolled_by, d.enrolled_at,"
        " (SELECT COUNT(*) FROM events e WHERE e.device_id = d.device_id),"
        " (SELECT MAX(seq) FROM events e WHERE e.device_id = d.device_id),"
        " (SELECT COUNT(*) FROM integrity i"
        "   WHERE i.device_id = d.device_id AND i.resolved_at IS NULL)"
        " FROM devices d ORDER BY d.enrolled_at"
    ).fetchall()
    return [
        DeviceSummary(
            device=Device(str(r[0]), str(r[1]), str(r[2])),
            enrolled_at=float(r[3]),
            events=int(r[4]),
            highest_seq=None if r[5] is None else int(r[5]),
            open_flags=int(r[6]),
        )
        for r in rows
    ]
