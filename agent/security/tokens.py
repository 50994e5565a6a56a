"""The agent's bearer token: one valid value at a time, rotated on pairing, retired on revoke.

The token itself lives in the secret store (keyring, or the 0600 ``secrets.json``).  Which
token is valid is recorded beside the audit log, in ``token.json`` (0600): only its SHA-256,
so the file is no credential.  The record is what retires a token, including in an agent
that is already running: ``postguard pair --revoke`` (another process) rewrites it, and the
running agent notices on the next request (one ``stat`` per authenticated request) and from
then on answers 401 to the old token.

Rotation writes the record first and the secret store second.  A crash between the two
leaves a store whose token no longer matches the record: that token stays retired, and the
agent mints a fresh one at its next start (the browser pairs again), rather than reviving a
token that was meant to be gone.  A token that has never been handed out is as good as
none, so revoking is rotating and throwing the new value away.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from agent.fsutil import write_atomic
from agent.security.secrets import TOKEN, SecretStore

RECORD_FILE: Final = "token.json"
_SHA256_HEX: Final = re.compile(r"[0-9a-f]{64}")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class _Record:
    stamp: tuple[int, int, int] | None  # the record file's (inode, size, mtime_ns) when read
    digest: str | None


class TokenBook:
    """Which bearer token the agent accepts, and the token it proves with.

    Thread-safe.  :meth:`accepts` never blocks (it runs on the event loop for every
    authenticated request); :meth:`current`, :meth:`rotate` and :meth:`revoke` may wait for
    the keyring, so the agent calls them from a thread.
    """

    def __init__(self, store: SecretStore, data_dir: Path) -> None:
        self._store = store
        self._path = data_dir / RECORD_FILE
        self._lock = threading.Lock()
        self._token: str | None = None
        self._record = _Record(stamp=None, digest=None)

    @classmethod
    def open(cls, store: SecretStore, data_dir: Path) -> TokenBook:
        """The agent's book at start: the stored token, checked against the record."""
        book = cls(store, data_dir)
        with book._lock:
            token = store.get_or_create(TOKEN)
            if not book._path.exists():  # first start (or an agent from before the record)
                book._write_record(digest(token))
                book._token = token
                return book
            recorded = book._refresh()
            if recorded is not None and hmac.compare_digest(recorded, digest(token)):
                book._token = token
            else:  # a rotation cut short, or a damaged record: never revive the old token
                book._rotate()
        return book

    def accepts(self, presented: str) -> bool:
        """True if ``presented`` is the valid token (constant-time on its digest)."""
        recorded = self._refresh()
        return recorded is not None and hmac.compare_digest(digest(presented), recorded)

    def current_nowait(self) -> str | None:
        """The valid token if it is at hand without asking the store; else None."""
        recorded = self._refresh()
        token = self._token
        if (
            token is not None
            and recorded is not None
            and hmac.compare_digest(digest(token), recorded)
        ):
            return token
        return None

    def current(self) -> str:
        """The valid token; reads the store after another process rotated it."""
        with self._lock:
            token = self.current_nowait()
            if token is not None:
                return token
            recorded = self._record.digest
            stored = self._store.get(TOKEN)
            if stored and recorded is not None and hmac.compare_digest(digest(stored), recorded):
                self._token = stored
                return stored
            return self._rotate()

    def rotate(self) -> str:
        """A new valid token; the one before is retired at once.  Blocks on the keyring."""
        with self._lock:
            return self._rotate()

    def revoke(self) -> None:
        """Retire the valid token: every client must pair again."""
        self.rotate()

    def _rotate(self) -> str:
        token = secrets.token_urlsafe(32)
        self._write_record(digest(token))  # first: from here on the old token is refused
        self._store.replace(TOKEN, token)
        self._token = token
        return token

    def _write_record(self, value: str) -> None:
        write_atomic(self._path, json.dumps({"sha256": value}).encode())
        self._record = _Record(stamp=self._stamp(), digest=value)

    def _refresh(self) -> str | None:
        """The recorded digest, re-read when the file changed since the last look."""
        record = self._record
        stamp = self._stamp()
        if stamp is None or stamp == record.stamp:
            # Missing (removed under a running agent): keep what was read; whoever can
            # remove the file could as well write it, so this opens nothing.
            return record.digest
        try:
            value = json.loads(self._path.read_bytes())["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return record.digest  # a half-visible or damaged file: keep the last good read
        if not isinstance(value, str) or _SHA256_HEX.fullmatch(value) is None:
            return record.digest
        self._record = _Record(stamp=stamp, digest=value)
        return value

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)
