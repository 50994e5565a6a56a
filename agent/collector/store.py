"""The collector's SQLite store: each event once, keyed by its event id.

A batch is written in one transaction and committed (``synchronous=FULL``)
before the sender is told "Success", so an acknowledged event is on disk; a
batch sent again because its answer was lost inserts nothing new.

The database holds employees' justifications, so it is created owner-only (0600;
SQLite gives its -wal and -shm files the same mode).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from agent.collector import devices, integrity
from agent.collector.devices import Device
from agent.collector.digests import token_digest
from agent.collector.integrity import BatchOutcome, Flag
from agent.collector.schema import AcceptedEvent, envelope_text
from agent.errors import UserError
from agent.events.upload_wire import HecEnvelope, event_id_of

SCHEMA_VERSION: Final = 2
# Tokens are pasted after `--token` on a command line, where argparse takes one that
# starts with "-" (1 in 64 url-safe tokens) for an option.  The prefix rules that out
# and lets a secret scanner recognise a leaked collector token.
TOKEN_PREFIX: Final = "pgc_"  # noqa: S105 -- a fixed prefix, not a secret

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    event_id    TEXT PRIMARY KEY,
    time        REAL NOT NULL,
    host        TEXT NOT NULL,
    sourcetype  TEXT NOT NULL,
    kind        TEXT,
    user        TEXT,
    received_at REAL NOT NULL,
    token_name  TEXT NOT NULL,
    envelope    TEXT NOT NULL,
    device_id   TEXT,
    seq         INTEGER,
    prev_hash   TEXT,
    hash        TEXT
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    created_at   REAL NOT NULL
);
"""
    + devices.SCHEMA
    + integrity.SCHEMA
)

# Columns added in schema version 2 (per-device chains); older databases gain them on open.
_CHAIN_COLUMNS: Final = (
    ("device_id", "TEXT"),
    ("seq", "INTEGER"),
    ("prev_hash", "TEXT"),
    ("hash", "TEXT"),
)
_BACKFILL: Final = """
UPDATE events SET
    device_id = json_extract(envelope, '$.event.device_id'),
    seq = json_extract(envelope, '$.event.seq'),
    prev_hash = json_extract(envelope, '$.event.prev_hash'),
    hash = json_extract(envelope, '$.event.hash')
WHERE json_valid(envelope)
    AND json_type(envelope, '$.event.device_id') = 'text'
    AND json_type(envelope, '$.event.seq') = 'integer'
    AND json_type(envelope, '$.event.prev_hash') = 'text'
    AND json_type(envelope, '$.event.hash') = 'text'
"""
_CHAIN_INDEXES = """
CREATE INDEX IF NOT EXISTS events_by_device_seq ON events (device_id, seq);
CREATE INDEX IF NOT EXISTS events_by_device_prev ON events (device_id, prev_hash);
CREATE INDEX IF NOT EXISTS events_by_device_received ON events (device_id, received_at);
"""


def _create_private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        # Created with its mode, so the file is never readable by others, even briefly.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def open_db(path: Path, *, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise UserError(f"no collector database at {path}")
    try:
        if create:
            _create_private(path)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=5000")
        if create:
            conn.executescript(_SCHEMA)
            _migrate(conn)
        else:
            conn.execute("SELECT 1 FROM events LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is not a collector database ({exc})") from None
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror}") from None
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    have = {str(row[1]) for row in conn.execute("PRAGMA table_info(events)")}
    missing = [(name, kind) for name, kind in _CHAIN_COLUMNS if name not in have]
    for name, kind in missing:
        conn.execute(f"ALTER TABLE events ADD COLUMN {name} {kind}")  # fixed names above
    if missing:
        # Events stored before per-device chains join their device's chain, so its next
        # upload is checked against them rather than flagged as starting with a gap.
        conn.execute(_BACKFILL)
    conn.executescript(_CHAIN_INDEXES)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(SCHEMA_VERSION),),
    )


class CollectorStore:
    """Thread-safe access to one collector database (the web app writes from a worker thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_db(path, create=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- events ----------------------------------------------------------------------

    def insert_batch(
        self, envelopes: Sequence[HecEnvelope], *, token_name: str, received_at: float
    ) -> int:
        """Store envelopes as they are, unchecked (imports and fixtures); return how many were new.

        Events from agents go through ``store_device_batch``, which checks them first.
        """
        rows = []
        for envelope in envelopes:
            event_id = event_id_of(envelope)
            if event_id is None:
                raise ValueError("every event needs an event_id")
            kind = envelope.event.get("kind")
            user = envelope.event.get("user")
            rows.append(
                (
                    event_id,
                    envelope.time,
                    envelope.host,
                    envelope.sourcetype,
                    kind if isinstance(kind, str) else None,
                    user if isinstance(user, str) else None,
                    received_at,
                    token_name,
                    envelope_text(envelope),
                )
            )
        with self._lock, self._transaction():
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT OR IGNORE INTO events (event_id, time, host, sourcetype, kind, user,"
                " received_at, token_name, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            return self._conn.total_changes - before

    def store_device_batch(
        self,
        device: Device,
        events: Sequence[AcceptedEvent],
        *,
        received_at: float,
        quota_per_day: int,
    ) -> BatchOutcome:
        """Store a checked batch of one device, in order, flagging what breaks its chain.

        Stops at the device's quota: what was stored stays (the sender resends the batch,
        and repeats are ignored by id).
        """
        with self._lock, self._transaction():
            return integrity.admit_batch(
                self._conn, device, events, received_at=received_at, quota_per_day=quota_per_day
            )

    def count(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(n)

    def flags(self, device_id: str | None = None) -> list[Flag]:
        with self._lock:
            return integrity.list_flags(self._conn, device_id)

    # -- enrolment tokens (shared by a group of machines) -----------------------------

    def add_token(self, name: str) -> str:
        """Create an enrolment token for one group of machines; only its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute(
                "INSERT INTO tokens (token_sha256, name, created_at) VALUES (?, ?, ?)",
                (token_digest(token), name, time.time()),
            )
        return token

    def revoke_tokens(self, name: str) -> int:
        """Delete the stored enrolment tokens called ``name``; devices they enrolled keep theirs."""
        with self._lock:
            return self._conn.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount

    def token_count(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT COUNT(*) FROM tokens").fetchone()
        return int(n)

    def token_name(self, digest: str) -> str | None:
        """The enrolment name of a stored token, by its SHA-256 digest."""
        with self._lock:
            row = self._conn.execute(
                "SELECT name FROM tokens WHERE token_sha256 = ?", (digest,)
            ).fetchone()
        return None if row is None else str(row[0])

    # -- devices (one token each, bound to the device id) ------------------------------

    def enrol_device(
        self, device_id: str, user: str, *, enrolled_by: str, current_token: str | None
    ) -> str:
        """A new device token for ``device_id``; raises DeviceTaken when it is someone else's."""
        with self._lock, self._transaction():
            return devices.enrol(
                self._conn,
                device_id,
                user,
                enrolled_by=enrolled_by,
                current_digest=None if current_token is None else token_digest(current_token),
                now=time.time(),
            )

    def device_for_token(self, token: str) -> Device | None:
        with self._lock:
            return devices.by_token(self._conn, token_digest(token))

    def device_summaries(self) -> list[devices.DeviceSummary]:
        with self._lock:
            return devices.summaries(self._conn)

    def release_device(self, device_id: str) -> bool:
        """Forget a device's token (its events stay), so it can enrol again."""
        with self._lock, self._transaction():
            return devices.release(self._conn, device_id)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._conn)


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._conn.execute("COMMIT" if kind is None else "ROLLBACK")
