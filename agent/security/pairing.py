"""One-time pairing codes: ``postguard pair`` issues one, ``POST /v1/pair`` redeems it.

The CLI and the agent may be different processes (or the agent may not be running yet), so
the pending code lives in the data dir as a 0600 file holding the code and its expiry.  The
agent needs the code itself, not a digest: the extension proves it knows the code with keys
derived from the code and a nonce of its own (:mod:`agent.security.pairing_proof`), and the
agent must derive the same keys to check that proof and to prove its own knowledge back.

A code is good for one redemption, for five minutes, and for a handful of wrong proofs:
after ``MAX_FAILURES`` the code is withdrawn and a new one must be issued.  The extension's
exchange is two requests (``hello`` gives it the agent's nonce, ``prove`` carries its
proof); between them the agent keeps a short-lived session, single-use and few.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from agent.fsutil import write_atomic

PENDING_FILE: Final = "pairing.json"
CODE_TTL: Final = timedelta(minutes=5)
MAX_FAILURES: Final = 10
# Between ``hello`` and ``prove`` the extension derives its keys (half a second); a minute
# is ample.  Few sessions: a caller opening many only pushes out its own.
SESSION_TTL_S: Final = 60.0
MAX_SESSIONS: Final = 4
# No 0/O or 1/I: the code is read off a terminal and typed by hand.
_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LEN: Final = 8
_CODE: Final = re.compile(f"[{_ALPHABET}]{{{CODE_LEN}}}")


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True)
class _Session:
    extension_nonce: str
    opened_at: float


def normalise(code: str) -> str:
    """The code as both sides feed it to the KDF: no spaces or dashes, upper case."""
    return "".join(code.split()).replace("-", "").upper()


def well_formed(code: str) -> bool:
    return _CODE.fullmatch(code) is not None


def issue_code(data_dir: Path, now: datetime | None = None) -> IssuedCode:
    """Create a fresh code, replacing any pending one."""
    now = now or datetime.now(UTC)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LEN))
    expires_at = now + CODE_TTL
    record = {"code": raw, "expires_at": expires_at.isoformat()}
    write_atomic(data_dir / PENDING_FILE, json.dumps(record).encode())
    return IssuedCode(code=f"{raw[:4]}-{raw[4:]}", expires_at=expires_at)


def withdraw_code(data_dir: Path) -> bool:
    """Remove the pending code, if any; True when there was one."""
    path = data_dir / PENDING_FILE
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


class PairingCodes:
    """The agent's side: the pending code, wrong-proof counting, and exchange sessions."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self._data_dir = data_dir
        self._path = data_dir / PENDING_FILE
        self._clock = clock
        self._failures = 0
        self._failed_code: str | None = None
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._attempting = False

    def pending(self, now: datetime | None = None) -> str | None:
        """The pending code (normalised), if one was issued and has not expired."""
        now = now or datetime.now(UTC)
        try:
            record = json.loads(self._path.read_bytes())
            code, expires_at = str(record["code"]), datetime.fromisoformat(record["expires_at"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            self._withdraw()  # a corrupt (or older-format) pending file is no code at all
            return None
        if now >= expires_at or not well_formed(code):
            self._withdraw()
            return None
        return code

    def redeem(self, submitted: str, now: datetime | None = None) -> bool:
        """The code sent as it is (scripts, curl): True exactly once per issued code."""
        code = self.pending(now)
        if code is None:
            return False
        if hmac.compare_digest(normalise(submitted).encode(), code.encode()):
            self._withdraw()
            return True
        self.record_failure(code)
        return False

    def open_session(self, extension_nonce: str) -> str | None:
        """A fresh agent nonce for the extension's exchange, or None when no code is pending."""
        if self.pending() is None:
            return None
        self._expire_sessions()
        agent_nonce = secrets.token_hex(32)
        self._sessions[agent_nonce] = _Session(extension_nonce, self._clock())
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return agent_nonce

    def take_session(self, agent_nonce: str, extension_nonce: str) -> bool:
        """True if ``agent_nonce`` names an open session of ``extension_nonce``; closes it."""
        self._expire_sessions()
        session = self._sessions.pop(agent_nonce, None)
        return session is not None and hmac.compare_digest(
            session.extension_nonce.encode(), extension_nonce.encode()
        )

    def start_attempt(self) -> bool:
        """One proof is checked at a time (each costs a key derivation); False if one is."""
        if self._attempting:
            return False
        self._attempting = True
        return True

    def end_attempt(self) -> None:
        self._attempting = False

    def consume(self, code: str) -> bool:
        """After a verified proof: withdraw ``code`` if it is still the pending one."""
        if self.pending() != code:
            return False
        self._withdraw()
        return True

    def record_failure(self, code: str) -> None:
        """A wrong code or proof against ``code``; too many withdraw it."""
        if self._failed_code != code:
            self._failed_code, self._failures = code, 0
        self._failures += 1
        if self._failures >= MAX_FAILURES and self.pending() == code:
            self._withdraw()

    def _expire_sessions(self) -> None:
        cutoff = self._clock() - SESSION_TTL_S
        for nonce in [n for n, s in self._sessions.items() if s.opened_at < cutoff]:
            del self._sessions[nonce]

    def _withdraw(self) -> None:
        self._sessions.clear()
        withdraw_code(self._data_dir)
