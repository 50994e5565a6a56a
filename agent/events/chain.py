"""How an audit record is sealed into the chain: its canonical form, the hash schemes, the key.

A record's ``hash`` is computed over its canonical JSON (sequence number, event id, time,
user, device, kind, payload and ``prev_hash``).  Two schemes exist:

- ``sha256``: plain SHA-256, what logs written before the keyed chain hold.  Anyone who can
  write the database can edit a record and recompute every later hash, so these records are
  only as trustworthy as the point where the keyed chain took over from them.
- ``hmac-sha256``: HMAC-SHA256 with the device's chain secret, which lives in the OS keyring
  (or the 0600 secrets file), never in the database.  Without that secret a rewritten
  record cannot be given a hash that verifies.

Which records use which scheme is a list of :class:`Epoch`; it is authenticated by the
high-water mark (:mod:`agent.events.high_water`), so relabelling keyed records as plain ones
is caught.  The secret is never used directly: separate keys are derived from it for record
hashes, for the mark and for the key id, so a value made for one use can never pass for
another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

CHAIN_SECRET: Final = "audit-chain-key"  # noqa: S105 - a SecretStore entry name
GENESIS_HASH: Final = "0" * 64
MAX_SEQ: Final = 2**53  # far beyond any real log; bounds what a forged mark can claim
KEY_ID_CHARS: Final = 16


class Scheme(StrEnum):
    SHA256 = "sha256"
    HMAC_SHA256 = "hmac-sha256"


class Epoch(BaseModel):
    """Records from ``first_seq`` on (until the next epoch) use ``scheme`` (and that key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first_seq: int = Field(ge=1, le=MAX_SEQ)
    scheme: Scheme
    key_id: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")


@dataclass(frozen=True)
class RecordFields:
    """What a record's hash covers (everything but the hash and the upload state)."""

    seq: int
    event_id: str
    time: str
    user: str
    device_id: str
    kind: str
    payload: str
    prev_hash: str

    def canonical(self) -> bytes:
        # Byte for byte what logs written before the keyed chain hashed: they must verify.
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def plain_hash(fields: RecordFields) -> str:
    """The ``sha256`` scheme: kept only to verify records written before the keyed chain."""
    return hashlib.sha256(fields.canonical()).hexdigest()


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"postguard audit {purpose}".encode(), hashlib.sha256).digest()


class ChainKey:
    """The device's chain secret, as the keys derived from it."""

    def __init__(self, secret: str) -> None:
        raw = secret.encode("utf-8")
        self._record_key = _derive(raw, "record v1")
        self._mark_key = _derive(raw, "mark v1")
        # Names the secret without revealing it, so verify can tell "edited" from "keyed
        # with a secret this device no longer has".
        self.key_id = _derive(raw, "key id").hex()[:KEY_ID_CHARS]

    def seal(self, fields: RecordFields) -> str:
        """The ``hmac-sha256`` scheme."""
        return hmac.new(self._record_key, fields.canonical(), hashlib.sha256).hexdigest()

    def mac(self, body: bytes) -> str:
        return hmac.new(self._mark_key, body, hashlib.sha256).hexdigest()

    def epoch(self, first_seq: int) -> Epoch:
        return Epoch(first_seq=first_seq, scheme=Scheme.HMAC_SHA256, key_id=self.key_id)


def epoch_of(seq: int, epochs: Sequence[Epoch]) -> Epoch | None:
    """The epoch ``seq`` falls in (``epochs`` sorted by ``first_seq``); None before the first."""
    found = None
    for epoch in epochs:
        if epoch.first_seq > seq:
            break
        found = epoch
    return found


def matches(digest: str, expected: str) -> bool:
    return hmac.compare_digest(digest.encode(), expected.encode())
