"""The collector's SQLite store: each event once, keyed by its event id.

A batch is written in one transaction and committed (``synchronous=FULL``)
before the sender is told "Success", so an acknowledged event is on disk; a
batch sent again because its answer was lost inserts nothing new.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from agent.errors import UserError
from agent.events.upload_wire import HecEnvelope, event_id_of

SCHEMA_VERSION: Final = 1
# Tokens are pasted after `--token` on a command line, where argparse takes one that
# starts with "-" (1 in 64 url-safe tokens) for an option.  The prefix rules that out
# and lets a secret scanner recognise a leaked collector token.
TOKEN_PREFIX: Final = "pgc_"  # noqa: S105 -- a fixed prefix, not a secret

_SCHEMA = """
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
    envelope    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
CREATE TABLE IF NOT EXISTS tokens (
    token_sha256 TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    created_at   REAL NOT NULL
);
"""


def token_digest(token: str) -> str:
    """Tokens are stored as SHA-256 only: a copied database does not leak them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_db(path: Path, *, create: bool) -> sqlite3.Connection:
    if not create and not path.is_file():
        raise UserError(f"no collector database at {path}")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=5000")
        if create:
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        else:
            conn.execute("SELECT 1 FROM events LIMIT 1")
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path} is not a collector database ({exc})") from None
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror}") from None
    return conn


class CollectorStore:
    """Thread-safe access to one collector database (the web app writes from a worker thread)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_db(path, create=True)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def insert_batch(
        self, envelopes: Sequence[HecEnvelope], *, token_name: str, received_at: float
    ) -> int:
        """Store the batch atomically; return how many events were new."""
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
                    json.dumps(envelope.model_dump(mode="json"), separators=(",", ":")),
                )
            )
        with self._lock:
            before = self._conn.total_changes
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO events (event_id, time, host, sourcetype, kind, user,"
                    " received_at, token_name, envelope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            return self._conn.total_changes - before

    def count(self) -> int:
        with self._lock:
            (n,) = self._conn.execute("SELECT COUNT(*) FROM events").fetchone()
        return int(n)

    def add_token(self, name: str) -> str:
        """Create a token for one enrolment group; only its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._lock:
            self._conn.execute(
                "INSERT INTO tokens (token_sha256, name, created_at) VALUES (?, ?, ?)",
                (token_digest(token), name, time.time()),
            )
        return token

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
