"""Sync status: persisted after every attempt, so it survives restarts and is readable offline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.fsutil import write_atomic
from agent.publish.quoting import one_line

STATUS = "status.json"


class SyncStateName(StrEnum):
    OK = "ok"
    STALE = "stale"  # the active signed index has expired; its packs are still enforced
    ERROR = "error"  # the last attempt failed or was refused; the last good packs stay
    PENDING = "pending"  # configured, not attempted yet
    DISABLED = "disabled"  # no index URL: bundled or local packs only


class ActivePack(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    version: str


class SyncRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    index_url: str | None = None
    source: str = "bundled"  # "synced" once a signed set is active
    serial: int | None = None
    packs: list[ActivePack] = Field(default_factory=list)
    expires_at: AwareDatetime | None = None
    last_attempt: AwareDatetime | None = None
    last_success: AwareDatetime | None = None
    last_result: str | None = None
    last_error: str | None = None
    next_attempt: AwareDatetime | None = None

    @field_validator("last_result", "last_error")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        # These quote the publication or the server; a record written by an older agent
        # may hold a megabyte of it, and everything that shows status reads through here.
        return one_line(value) if value is not None else None


class SyncStatus(SyncRecord):
    state: SyncStateName

    @classmethod
    def of(cls, record: SyncRecord, now: datetime) -> SyncStatus:
        return cls(**record.model_dump(), state=state_of(record, now))


def state_of(record: SyncRecord, now: datetime) -> SyncStateName:
    if not record.index_url:
        return SyncStateName.DISABLED
    # Stale outranks error: what matters most is that the enforced packs are past their date.
    if record.source == "synced" and record.expires_at is not None and now >= record.expires_at:
        return SyncStateName.STALE
    if record.last_error:
        return SyncStateName.ERROR
    if record.last_attempt is None:
        return SyncStateName.PENDING
    return SyncStateName.OK


def read_record(root: Path) -> SyncRecord:
    try:
        return SyncRecord.model_validate_json((root / STATUS).read_bytes())
    except (OSError, ValidationError):
        return SyncRecord()


def write_record(root: Path, record: SyncRecord) -> None:
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(root / STATUS, record.model_dump_json(indent=2).encode("utf-8"))
