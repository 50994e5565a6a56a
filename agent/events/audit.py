"""The durable, tamper-evident audit log: SQLite in WAL mode, one hash-chained table.

Each record's ``hash`` seals its canonical form together with ``prev_hash``, the hash of
the record before it (:mod:`agent.events.chain`).  New records are sealed with HMAC-SHA256
under the device's chain secret, which is kept by :class:`SecretStore` (the OS keyring, or
the 0600 secrets file), never in the database: whoever edits the file cannot recompute a
hash that verifies.  Logs written before the keyed chain keep their plain SHA-256 records;
the keyed chain starts after the last of them and its first record seals the link to them.

Deleting the newest records leaves a chain that still links, so the highest sequence number
and hash ever written are also kept outside the database, in the MAC'd high-water mark
(:mod:`agent.events.high_water`).  A log found shorter than its mark is reported, and the
next record continues after the mark: a sequence number is never used twice, and the gap
stays visible to ``verify`` here and to the collector.

``uploaded_at`` sits outside the chain: it is the outbox state the uploader keeps
(``pending`` / ``mark_uploaded``), and event ids make re-sending idempotent.

A write either commits whole or raises :class:`NotRecorded` (disk full, read-only, size cap
reached, text that is not valid Unicode); with ``synchronous=FULL`` a committed record
survives a killed process.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import BaseModel, TypeAdapter, ValidationError

from agent.errors import UserError
from agent.events.chain import (
    CHAIN_SECRET,
    GENESIS_HASH,
    ChainKey,
    Epoch,
    RecordFields,
    Scheme,
    canonical_json,
    epoch_of,
    matches,
    plain_hash,
)
from agent.events.high_water import MAX_EPOCHS, Mark, mark_path, read_mark, write_mark
from agent.events.records import AuditRecord, EventKind

if TYPE_CHECKING:
    from agent.security.secrets import SecretStore

__all__ = ["AUDIT_DB", "GENESIS_HASH", "AuditLog", "NotRecorded", "Problem", "VerifyReport"]

log = logging.getLogger("postguard.audit")

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
_LAST: Final = "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
_EPOCHS_KEY: Final = "chain_epochs"
_EPOCHS: Final = TypeAdapter(tuple[Epoch, ...])

ProblemKind = Literal["edited", "missing", "relinked", "truncated", "mark", "unverifiable"]


class NotRecorded(Exception):
    """The event could not be written; nothing of it was stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: ProblemKind
    detail: str


@dataclass(frozen=True)
class VerifyReport:
    records: int
    problems: list[Problem] = field(default_factory=list)
    epochs: tuple[Epoch, ...] = ()
    high_water: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def keyed_from(self) -> int | None:
        """The first record of the current keyed chain (None: not keyed yet)."""
        last = self.epochs[-1] if self.epochs else None
        return last.first_seq if last and last.scheme is Scheme.HMAC_SHA256 else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _decode(raw: bytes) -> str:
    # A byte edited into the file that is not UTF-8 must read as a changed record (which
    # verify reports), not stop every reader of the log.
    return raw.decode("utf-8", "replace")


@dataclass
class _Chain:
    """The keyed chain's state in memory; the mark on disk is written from it."""

    key: ChainKey
    epochs: tuple[Epoch, ...]
    high_seq: int  # the highest sequence number ever written (mark or database)
    high_hash: str
    rebuilt_at: tuple[int, ...] = ()

    def mark(self, device_id: str) -> Mark:
        return Mark(
            device_id=device_id,
            seq=self.high_seq,
            hash=self.high_hash,
            epochs=self.epochs,
            rebuilt_at=self.rebuilt_at,
        )


class AuditLog:
    """Thread-safe; open one per process.  Readers in other processes see committed records.

    ``secrets`` holds the device's chain secret; the agent passes its own store.  Without one
    (tools, tests) the secret is kept in a 0600 secrets file beside the database.
    """

    def __init__(
        self,
        path: Path,
        *,
        user: str | None = None,
        max_bytes: int | None = None,
        secrets: SecretStore | None = None,
    ):
        self.path = path
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._mark_path = mark_path(path)
        self.user = _printable(user or _login())
        with self._lock:
            conn = self._connection()
            self.device_id = self._device_id(conn)
            self._chain = self._load_chain(conn, secrets or _beside(path))

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
            conn.text_factory = _decode
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

    # -- the chain's key and high-water mark ------------------------------------------

    def _load_chain(self, conn: sqlite3.Connection, secrets: SecretStore) -> _Chain:
        """The chain as the mark and the database describe it; adopts or repairs the mark.

        A missing or forged mark is never a reason to stop recording: the mark is rebuilt
        from the database and the rebuild is itself kept in the mark, for verify to report.
        """
        try:
            last = conn.execute(_LAST).fetchone()
            stored_epochs = _stored_epochs(conn)
        except sqlite3.Error as exc:
            raise UserError(f"cannot read the audit log {self.path}: {exc}") from None
        db_seq, db_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
        secret = secrets.get(CHAIN_SECRET)
        first_key = secret is None  # this device has never keyed a chain
        key = ChainKey(secret if secret is not None else secrets.get_or_create(CHAIN_SECRET))
        found = read_mark(self._mark_path, key, self.device_id)
        if found.mark is not None:
            return self._from_mark(found.mark, key, db_seq, db_hash)
        high_seq, high_hash = db_seq, db_hash
        if found.claimed and found.claimed[0] > db_seq:  # never reuse a number it claims
            high_seq, high_hash = found.claimed
        epochs = stored_epochs or ((Epoch(first_seq=1, scheme=Scheme.SHA256),) if db_seq else ())
        if not epochs or epochs[-1].key_id != key.key_id:
            epochs = (*epochs, key.epoch(high_seq + 1))[-MAX_EPOCHS:]
        chain = _Chain(key, epochs, high_seq, high_hash)
        # Only a log that was never keyed may start a keyed chain without a mark: a log
        # written before the keyed chain (on a device that has no chain secret yet), or an
        # empty one.  Anything else means the mark was lost or replaced, so that is recorded.
        never_keyed = stored_epochs is None and found.state == "missing"
        if not (never_keyed and (first_key or db_seq == 0)):
            chain.rebuilt_at = (high_seq,)  # earlier rebuilds only a genuine mark could tell
            log.warning(
                "audit log: the high-water mark %s was %s; rebuilt it at record %d "
                "(`postguard audit verify` reports this)",
                self._mark_path,
                found.state,
                high_seq,
            )
        self._save_chain(conn, chain)
        return chain

    @staticmethod
    def _from_mark(mark: Mark, key: ChainKey, db_seq: int, db_hash: str) -> _Chain:
        chain = _Chain(key, mark.epochs, mark.seq, mark.hash, mark.rebuilt_at)
        if db_seq > mark.seq:  # a record committed just before a crash: not a problem
            chain.high_seq, chain.high_hash = db_seq, db_hash
        elif db_seq < mark.seq:
            log.warning(
                "audit log: records %d..%d were removed (the high-water mark is %d); "
                "new records continue after it",
                db_seq + 1,
                mark.seq,
                mark.seq,
            )
        return chain

    def _save_chain(self, conn: sqlite3.Connection, chain: _Chain) -> None:
        # The mark first: it is what the next start trusts.  The epochs in the database are
        # a copy, read only when the mark is lost.
        self._write_mark(chain)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                (_EPOCHS_KEY, _EPOCHS.dump_json(chain.epochs).decode()),
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            _rollback(conn)
            log.warning("audit log: could not store the chain's epochs: %s", exc)

    def _write_mark(self, chain: _Chain) -> None:
        try:
            write_mark(self._mark_path, chain.key, chain.mark(self.device_id))
        except OSError as exc:
            # The record is committed; a mark that lags the database is not a problem, and
            # the next write brings it up to date.
            log.warning("audit log: could not update the high-water mark: %s", exc.strerror)
        except ValidationError:
            # Values edited into the database beyond the mark's bounds (a huge sequence
            # number, an overlong device id): the record stands, the mark stays as it was.
            log.warning("audit log: the high-water mark cannot hold this log's values")

    # -- writing ---------------------------------------------------------------------

    def append(self, kind: EventKind, payload: BaseModel) -> AuditRecord:
        """Commit one event and return it, or raise NotRecorded with nothing stored."""
        payload_json = canonical_json(payload.model_dump(mode="json"))
        try:
            payload_json.encode("utf-8")
        except UnicodeEncodeError:
            # Refused before any transaction, so the connection stays usable.
            raise NotRecorded(
                "the event holds text that is not valid Unicode (a lone surrogate); "
                "nothing was stored"
            ) from None
        event_id = str(uuid.uuid4())
        when = _iso(datetime.now(UTC))
        with self._lock:
            try:
                conn = self._connection()
            except UserError as exc:
                raise NotRecorded(exc.message) from None
            chain = self._chain
            try:
                conn.execute("BEGIN IMMEDIATE")
                last = conn.execute(_LAST).fetchone()
                seq, prev_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
                if chain.high_seq > seq:  # records were removed: continue after the mark
                    seq, prev_hash = chain.high_seq, chain.high_hash
                seq += 1
                fields = RecordFields(
                    seq=seq,
                    event_id=event_id,
                    time=when,
                    user=self.user,
                    device_id=self.device_id,
                    kind=kind.value,
                    payload=payload_json,
                    prev_hash=prev_hash,
                )
                digest = chain.key.seal(fields)
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
            except BaseException:
                # Whatever it was, the transaction must not outlive it: a connection left
                # inside BEGIN would refuse every later event.
                self._abandon(conn)
                raise
            chain.high_seq, chain.high_hash = seq, digest
            self._write_mark(chain)
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
        _rollback(conn)
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
            except BaseException:
                self._abandon(conn)
                raise

    # -- reading ---------------------------------------------------------------------

    def pending(self, limit: int) -> list[AuditRecord]:
        """The oldest events not yet accepted by the collector, in sequence order."""
        return self._select("WHERE uploaded_at IS NULL ORDER BY seq LIMIT ?", (limit,))

    def pending_count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM events WHERE uploaded_at IS NULL")

    def count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM events")

    def last_uploaded(self) -> datetime | None:
        """When the collector last accepted events from this log (None: never)."""
        with self._lock:
            row = self._connection().execute("SELECT MAX(uploaded_at) FROM events").fetchone()
        try:
            return datetime.fromisoformat(row[0]) if row and row[0] else None
        except ValueError:  # a value edited into the file: no upload can be claimed from it
            return None

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
        """Recheck every seal and link against the key and the high-water mark.

        Names every edited, missing or re-linked record, records removed from the end, a
        mark that had to be rebuilt, and records sealed with a secret this device lost.
        """
        with self._lock, closing(self._connection().cursor()) as cursor:
            chain = self._chain
            check = _Verifier(chain)
            cursor.execute(_SELECT + "ORDER BY seq")
            for row in cursor:
                check.record(row)
        return check.report()

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


class _Verifier:
    """Walks the records in sequence order and collects what does not hold."""

    def __init__(self, chain: _Chain) -> None:
        self._chain = chain
        self.problems: list[Problem] = []
        self._records = 0
        self._expected_seq = 1
        self._prev_hash = GENESIS_HASH
        self._unverifiable: list[list[int]] = []  # [first, last] runs, sealed with a lost key

    def record(self, row: tuple[Any, ...]) -> None:
        event_id, seq, when, user, device_id, kind, payload, row_prev, digest, _ = row
        self._records += 1
        if seq != self._expected_seq:
            gap = (
                f"{self._expected_seq}"
                if seq == self._expected_seq + 1
                else (f"{self._expected_seq}..{seq - 1}")
            )
            self._add(self._expected_seq, "missing", f"records {gap} are missing")
        elif row_prev != self._prev_hash:
            self._add(seq, "relinked", "prev_hash does not match")
        fields = RecordFields(
            seq=seq,
            event_id=event_id,
            time=when,
            user=user,
            device_id=device_id,
            kind=kind,
            payload=payload,
            prev_hash=row_prev,
        )
        epoch = epoch_of(seq, self._chain.epochs)
        key = self._chain.key
        if epoch is not None and epoch.scheme is Scheme.HMAC_SHA256 and epoch.key_id != key.key_id:
            self._lost_key(seq)
        else:
            keyed = epoch is not None and epoch.scheme is Scheme.HMAC_SHA256
            expected = key.seal(fields) if keyed else plain_hash(fields)
            if not matches(digest, expected):
                self._add(seq, "edited", "content does not match its hash")
            elif seq == self._chain.high_seq and not matches(digest, self._chain.high_hash):
                self._add(seq, "edited", "the record differs from the high-water mark")
        self._expected_seq, self._prev_hash = seq + 1, digest

    def _lost_key(self, seq: int) -> None:
        if self._unverifiable and self._unverifiable[-1][1] == seq - 1:
            self._unverifiable[-1][1] = seq
        else:
            self._unverifiable.append([seq, seq])

    def _add(self, seq: int, kind: ProblemKind, detail: str) -> None:
        self.problems.append(Problem(seq, kind, detail))

    def report(self) -> VerifyReport:
        chain = self._chain
        last = self._expected_seq - 1
        if last < chain.high_seq:
            removed = (
                f"{last + 1}" if last + 1 == chain.high_seq else f"{last + 1}..{chain.high_seq}"
            )
            self._add(
                last + 1,
                "truncated",
                f"the log ends at record {last} but the high-water mark is record "
                f"{chain.high_seq}: records {removed} were removed",
            )
        for first, final in self._unverifiable:
            self._add(
                first,
                "unverifiable",
                f"records {first}..{final} were sealed with a chain secret this device no "
                "longer has; they cannot be checked",
            )
        for seq in chain.rebuilt_at:
            self._add(
                seq + 1,
                "mark",
                f"the high-water mark was missing or not genuine when the log was at record "
                f"{seq}; records removed before then cannot be ruled out",
            )
        return VerifyReport(
            records=self._records,
            problems=sorted(self.problems, key=lambda p: p.seq),
            epochs=chain.epochs,
            high_water=max(chain.high_seq, last),
        )


def _stored_epochs(conn: sqlite3.Connection) -> tuple[Epoch, ...] | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_EPOCHS_KEY,)).fetchone()
    if not row:
        return None
    try:
        epochs = _EPOCHS.validate_json(str(row[0]))
    except ValidationError:
        return None
    if not 0 < len(epochs) <= MAX_EPOCHS:
        return None
    return tuple(sorted(epochs, key=lambda epoch: epoch.first_seq))


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _beside(path: Path) -> SecretStore:
    # Imported here: the agent passes its own store, so only tools and tests pay for these.
    from keyring.backends.fail import Keyring as FileOnly

    from agent.security.secrets import SecretStore

    return SecretStore(path.parent, backend=FileOnly())  # type: ignore[no-untyped-call]


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


def _printable(user: str) -> str:
    # A login name from the environment may carry undecodable bytes (as lone surrogates);
    # they are kept visible as escapes, since SQLite and the uploader need valid UTF-8.
    return user.encode("utf-8", "backslashreplace").decode("utf-8")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"
