"""One-time pairing codes: ``postguard pair`` issues one, ``POST /v1/pair`` redeems it.

The CLI and the agent may be different processes (or the agent may not be running yet), so
the pending code lives in the data dir as a 0600 file holding only the code's SHA-256 and
its expiry.  A code is good for one redemption, for five minutes, and for a handful of
wrong guesses: after ``MAX_FAILURES`` the code is withdrawn and a new one must be issued.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from agent.fsutil import write_atomic

PENDING_FILE: Final = "pairing.json"
CODE_TTL: Final = timedelta(minutes=5)
MAX_FAILURES: Final = 10
# No 0/O or 1/I: the code is read off a terminal and typed by hand.
_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LEN: Final = 8


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def issue_code(data_dir: Path, now: datetime | None = None) -> IssuedCode:
    """Create a fresh code, replacing any pending one."""
    now = now or datetime.now(UTC)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LEN))
    code = f"{raw[:4]}-{raw[4:]}"
    expires_at = now + CODE_TTL
    record = {"sha256": _digest(code), "expires_at": expires_at.isoformat()}
    write_atomic(data_dir / PENDING_FILE, json.dumps(record).encode())
    return IssuedCode(code=code, expires_at=expires_at)


class PairingCodes:
    """The agent's side: checks a submitted code against the pending file."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / PENDING_FILE
        self._failures = 0
        self._failed_digest: str | None = None

    def redeem(self, submitted: str, now: datetime | None = None) -> bool:
        """True exactly once per issued code, if it matches and has not expired."""
        now = now or datetime.now(UTC)
        pending = self._read()
        if pending is None:
            return False
        digest, expires_at = pending
        if now >= expires_at:
            self._withdraw()
            return False
        if hmac.compare_digest(_digest(submitted), digest):
            self._withdraw()
            return True
        if self._failed_digest != digest:
            self._failed_digest, self._failures = digest, 0
        self._failures += 1
        if self._failures >= MAX_FAILURES:
            self._withdraw()
        return False

    def _read(self) -> tuple[str, datetime] | None:
        try:
            record = json.loads(self._path.read_bytes())
            return str(record["sha256"]), datetime.fromisoformat(record["expires_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self._withdraw()  # a corrupt pending file is no code at all
            return None

    def _withdraw(self) -> None:
        self._path.unlink(missing_ok=True)
