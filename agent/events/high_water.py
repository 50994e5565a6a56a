"""The audit log's high-water mark: the last sequence number and hash, kept outside the database.

Deleting the newest records of a hash chain leaves a shorter chain that is still perfectly
linked; only something outside the database can tell that it used to be longer.  The mark
is a small JSON file beside the database (``audit.sqlite3.mark``, mode 0600, replaced
atomically), written after every committed record and MAC'd with a key derived from the
device's chain secret, so it cannot be edited or forged without that secret.  It also holds
the chain's epochs (which records use which hash scheme) and the sequence numbers at which
the mark itself had to be rebuilt because it was missing or not genuine: that is evidence,
kept for ``postguard audit verify`` to report.

What it cannot catch on its own: an older genuine copy of the mark put back together with a
database truncated to match.  The collector, which already holds the uploaded records, is
the anchor for that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.events.chain import MAX_SEQ, ChainKey, Epoch, canonical_json, matches
from agent.fsutil import read_regular_file, write_atomic

MARK_SUFFIX: Final = ".mark"
MAX_MARK_BYTES: Final = 64 * 1024
MAX_EPOCHS: Final = 64
MAX_REBUILDS: Final = 32


class Mark(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    device_id: str = Field(min_length=1, max_length=64)
    seq: int = Field(ge=0, le=MAX_SEQ, description="the highest sequence number ever written")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="the hash of record ``seq``")
    epochs: tuple[Epoch, ...] = Field(min_length=1, max_length=MAX_EPOCHS)
    rebuilt_at: tuple[int, ...] = Field(default=(), max_length=MAX_REBUILDS)

    def body(self) -> bytes:
        return canonical_json(self.model_dump(mode="json")).encode("utf-8")


class SignedMark(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mark: Mark
    mac: str = Field(pattern=r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class MarkRead:
    """What was found on disk: a genuine mark, or why there is none to trust."""

    mark: Mark | None  # genuine: parsed, MAC'd with this key, for this database
    state: Literal["ok", "missing", "unreadable", "not genuine"]
    # A mark that parses but fails the MAC (forged, or keyed with a lost secret): what it
    # claims is still the best hint of how far the log went, so no number is used twice.
    claimed: tuple[int, str] | None = None


def mark_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + MARK_SUFFIX)


def read_mark(path: Path, key: ChainKey, device_id: str) -> MarkRead:
    try:
        # A FIFO or a device put in its place must not hang or flood the agent's start.
        raw = read_regular_file(path, MAX_MARK_BYTES)
    except FileNotFoundError:
        return MarkRead(None, "missing")
    except OSError:
        return MarkRead(None, "unreadable")
    try:
        signed = SignedMark.model_validate_json(raw)
    except ValidationError:
        return MarkRead(None, "unreadable")
    mark = signed.mark
    if mark.device_id != device_id or not matches(key.mac(mark.body()), signed.mac):
        return MarkRead(None, "not genuine", claimed=(mark.seq, mark.hash))
    return MarkRead(mark, "ok", claimed=(mark.seq, mark.hash))


def write_mark(path: Path, key: ChainKey, mark: Mark) -> None:
    """Replace the mark atomically (0600); raises OSError (e.g. a full disk)."""
    signed = SignedMark(mark=mark, mac=key.mac(mark.body()))
    write_atomic(path, json.dumps(signed.model_dump(mode="json"), indent=1).encode("utf-8"))
