"""The durable, tamper-evident audit log: SQLite in WAL mode, one hash-chained table.

Each record's ``hash`` is SHA-256 over its canonical JSON (sequence number, event id, time,
user, device, kind, payload, ``prev_hash``), and ``prev_hash`` is the hash of the record
before it, so editing or deleting a record breaks the chain at that point; ``verify`` names
it.  ``uploaded_at`` sits outside the chain: it is the outbox state the uploader keeps
(``pending`` / ``mark_uploaded``), and event ids make re-sending idempotent.

A write either commits whole or raises :class:`NotRecorded` (disk full, read-only, size cap
reached); with ``synchronous=FULL`` a committed record survives a killed process.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from agent.errors import UserError
from agent.events.records import AuditRecord, EventKind

GENESIS_HASH: Final = "0" * 64
AUDIT_DB: Final = "audit.sqlite3"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    time        TEXT NOT NULL,
    user        TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    uploaded_at TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events (seq) WHERE uploaded_at IS NULL;
"""
_SELECT: Final = (
    "SELECT event_id, seq, time, user, device_id, kind, payload, prev_hash, hash, uploaded_at "
    "FROM events "
)
_INSERT: Final = (
    "INSERT INTO events (event_id, seq, time, user, device_id, kind, payload, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class NotRecorded(Exception):
    """The event could not be written; nothing of it was stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # "edited" | "missing" | "relinked"
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    records: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def record_hash(
    *,
    seq: int,
    event_id: str,
    time: str,
    user: str,
    device_id: str,
    kind: str,
    payload: str,
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "event_id": event_id,
        "time": time,
        "user": user,
        "device_id": device_id,
        "kind": kind,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


class AuditLog:
    """Thread-safe; open one per process.  Readers in other processes see committed records."""

    def __init__(self, path: Path, *, user: str | None = None, max_bytes: int | None = None):
        self.path = path
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.user = user or _login()
        with self._lock:
            conn = self._connection()
            self.device_id = self._device_id(conn)

    # -- connection ------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not self.path.exists():
                # SQLite gives its -wal and -shm files the database file's mode.
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=5.0
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            if self._max_bytes is not None:
                page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
                conn.execute(f"PRAGMA max_page_count={max(1, self._max_bytes // page_size)}")
            conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot open the audit log {self.path}: {exc}") from None
        return conn

    def _device_id(self, conn: sqlite3.Connection) -> str:
        row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        if row:
            return str(row[0])
        device_id = str(uuid.uuid4())
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)", (device_id,)
        )
        row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
        return str(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- writing ---------------------------------------------------------------------

    def append(self, kind: EventKind, payload: BaseModel) -> AuditRecord:
        """Commit one event and return it, or raise NotRecorded with nothing stored."""
        payload_json = _canonical(payload.model_dump(mode="json"))
        event_id = str(uuid.uuid4())
        when = _iso(datetime.now(UTC))
        with self._lock:
            try:
                conn = self._connection()
            except UserError as exc:
                raise NotRecorded(exc.message) from None
            try:
                conn.execute("BEGIN IMMEDIATE")
                last = conn.execute(
                    "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, prev_hash = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS_HASH)
                digest = record_hash(
                    seq=seq,
                    event_id=event_id,
                    time=when,
                    user=self.user,
                    device_id=self.device_id,
                    kind=kind.value,
                    payload=payload_json,
                    prev_hash=prev_hash,
                )
                conn.execute(
                    _INSERT,
                    (
                        event_id,
                        seq,
                        when,
                        self.user,
                        self.device_id,
                        kind.value,
                        payload_json,
                        prev_hash,
                        digest,
                    ),
                )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._abandon(conn)
                raise NotRecorded(str(exc)) from None
        return AuditRecord(
            event_id=event_id,
            seq=seq,
            time=datetime.fromisoformat(when),
            user=self.user,
            device_id=self.device_id,
            kind=kind,
            payload=json.loads(payload_json),
            prev_hash=prev_hash,
            hash=digest,
        )

    def _abandon(self, conn: sqlite3.Connection) -> None:
        # After an I/O error SQLite may already have rolled back; reopening on the next
        # write is what lets the log recover once space returns.
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()
        self._conn = None

    def mark_uploaded(self, event_ids: Sequence[str]) -> None:
        """Record that the collector accepted these events; idempotent."""
        if not event_ids:
            return
        when = _iso(datetime.now(UTC))
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "UPDATE events SET uploaded_at = ? WHERE event_id = ? AND uploaded_at IS NULL",
                    [(when, event_id) for event_id in event_ids],
                )
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._abandon(conn)
                raise NotRecorded(str(exc)) from None

    # -- reading ---------------------------------------------------------------------

    def pending(self, limit: int) -> list[AuditRecord]:
        """The oldest events not yet accepted by the collector, in sequence order."""
        return self._select("WHERE uploaded_at IS NULL ORDER BY seq LIMIT ?", (limit,))

    def pending_count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM events WHERE uploaded_at IS NULL")

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM events")

    def latest(self, kind: EventKind) -> AuditRecord | None:
        rows = self._select("WHERE kind = ? ORDER BY seq DESC LIMIT 1", (kind.value,))
        return rows[0] if rows else None

    def __iter__(self) -> Iterator[AuditRecord]:
        """Every record in sequence order, read in pages so a long log stays cheap."""
        after = 0
        while True:
            page = self._select("WHERE seq > ? ORDER BY seq LIMIT 500", (after,))
            if not page:
                return
            yield from page
            after = page[-1].seq

    def verify(self) -> VerifyReport:
        """Recompute the chain; name every edited, missing or re-linked record."""
        problems: list[Problem] = []
        expected_seq, prev_hash, records = 1, GENESIS_HASH, 0
        with self._lock, closing(self._connection().cursor()) as cursor:
            cursor.execute(_SELECT + "ORDER BY seq")
            for row in cursor:
                records += 1
                (event_id, seq, when, user, device_id, kind, payload, row_prev, digest, _) = row
                if seq != expected_seq:
                    gap = (
                        f"{expected_seq}"
                        if seq == expected_seq + 1
                        else (f"{expected_seq}..{seq - 1}")
                    )
                    problems.append(Problem(expected_seq, "missing", f"records {gap} are missing"))
                elif row_prev != prev_hash:
                    problems.append(Problem(seq, "relinked", "prev_hash does not match"))
                computed = record_hash(
                    seq=seq,
                    event_id=event_id,
                    time=when,
                    user=user,
                    device_id=device_id,
                    kind=kind,
                    payload=payload,
                    prev_hash=row_prev,
                )
                if computed != digest:
                    problems.append(Problem(seq, "edited", "content does not match its hash"))
                expected_seq, prev_hash = seq + 1, digest
        return VerifyReport(records=records, problems=problems)

    def _select(self, where: str, params: tuple[Any, ...]) -> list[AuditRecord]:
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    _SELECT + where,  # only the fixed clauses of this module
                    params,
                )
                .fetchall()
            )
        return [_to_record(row) for row in rows]

    def _scalar(self, sql: str) -> int:
        with self._lock:
            return int(self._connection().execute(sql).fetchone()[0])


def _to_record(row: tuple[Any, ...]) -> AuditRecord:
    event_id, seq, when, user, device_id, kind, payload, prev_hash, digest, uploaded = row
    return AuditRecord(
        event_id=event_id,
        seq=seq,
        time=datetime.fromisoformat(when),
        user=user,
        device_id=device_id,
        kind=EventKind(kind),
        payload=json.loads(payload),
        prev_hash=prev_hash,
        hash=digest,
        uploaded_at=datetime.fromisoformat(uploaded) if uploaded else None,
    )


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
