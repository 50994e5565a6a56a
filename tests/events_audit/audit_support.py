"""Helpers for the audit log's tests: a real log, the real CLI, and the attacks done by hand."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from keyring.backends.fail import Keyring as FailKeyring

from agent.events.audit import AuditLog
from agent.events.records import AcknowledgePayload, EventKind
from agent.security.secrets import SecretStore


def store(tmp_path: Path) -> SecretStore:
    """The secret store the agent uses (the keyring unavailable, so the 0600 file)."""
    return SecretStore(tmp_path / "config", backend=FailKeyring())


def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "audit.sqlite3"


def open_log(tmp_path: Path) -> AuditLog:
    return AuditLog(db_path(tmp_path), user="alex", secrets=store(tmp_path))


def fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version=f"v{i}"))


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


def verify_cli(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """``postguard audit verify`` as a real process."""
    return subprocess.run(
        [sys.executable, "-m", "agent", "audit", "verify"],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def sql(path: Path, statement: str, params: tuple[object, ...] = ()) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(statement, params)


def rows(path: Path) -> list[dict[str, object]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM events ORDER BY seq")]


COLUMNS = ("seq", "event_id", "time", "user", "device_id", "kind", "payload", "prev_hash")


def plain_hash(row: dict[str, object]) -> str:
    """How records were hashed before the keyed chain: SHA-256, no key; anyone can do it."""
    body = {name: row[name] for name in COLUMNS}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def rechain_plain(path: Path, from_seq: int) -> None:
    """The old attack: recompute ``prev_hash`` and ``hash`` of every record from ``from_seq``."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.row_factory = sqlite3.Row
        records = [dict(r) for r in db.execute("SELECT * FROM events ORDER BY seq")]
        prev = None
        for record in records:
            if record["seq"] >= from_seq:
                if prev is not None:
                    record["prev_hash"] = prev
                record["hash"] = plain_hash(record)
                db.execute(
                    "UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?",
                    (record["prev_hash"], record["hash"], record["seq"]),
                )
            prev = record["hash"]


LEGACY_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, time TEXT NOT NULL,
    user TEXT NOT NULL, device_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL, uploaded_at TEXT
);
"""


def write_legacy_log(path: Path, n: int) -> list[str]:
    """A log as agents wrote it before the keyed chain: plain SHA-256, no mark, no secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    device = "0c8f6a55-2f3e-4f7e-9d1c-3b1e7f0f9a11"
    hashes = []
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.executescript(LEGACY_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('device_id', ?)", (device,))
        prev = "0" * 64
        for seq in range(1, n + 1):
            row: dict[str, object] = {
                "seq": seq,
                "event_id": f"00000000-0000-4000-8000-{seq:012d}",
                "time": f"2026-01-0{seq}T09:00:00.000000Z",
                "user": "alex",
                "device_id": device,
                "kind": "acknowledge",
                "payload": json.dumps({"policy_version": f"old{seq}"}),
                "prev_hash": prev,
            }
            row["hash"] = prev = plain_hash(row)
            hashes.append(prev)
            db.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                tuple(row[name] for name in (*COLUMNS, "hash")),
            )
    return hashes
