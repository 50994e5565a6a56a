"""The pack index: what a published site offers, and the bytes that get signed.

The signature covers the exact bytes of ``index.json`` as served, so there is no
canonical-JSON step to get wrong: agents verify the bytes first, then parse them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.publish.quoting import one_line

INDEX_FORMAT = 1
INDEX_NAME = "index.json"
SIGNATURE_NAME = "index.json.sig"

# Serials are compared as integers, named in the store's directory names and shown as JSON
# numbers (status, the extension), so their range is bounded here, once, for the builder,
# the verifier and the store alike: exact as a JSON number anywhere (an IEEE double), which
# is 16 digits and holds a millisecond Unix time for the next quarter million years.
MIN_SERIAL = 1
MAX_SERIAL = 2**53 - 1
SERIAL_DIGITS = len(str(MAX_SERIAL))

PACK_ID_RE = r"^[a-z0-9][a-z0-9-]{0,63}$"
VERSION_RE = r"^[0-9]{1,9}(\.[0-9]{1,9}){0,5}$"
_SAFE_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class InvalidIndex(ValueError):
    """The index is not a valid PostGuard pack index."""


def check_serial(serial: int) -> int:
    """``serial`` if a publication may carry it; else ValueError saying the range."""
    if not MIN_SERIAL <= serial <= MAX_SERIAL:
        shown = str(serial) if abs(serial) < 10**40 else f"a {len(str(abs(serial)))}-digit number"
        raise ValueError(f"a serial must be between {MIN_SERIAL} and {MAX_SERIAL}, not {shown}")
    return serial


def version_key(version: str) -> tuple[int, ...]:
    """Dotted integers compare numerically: 2026.10.1 > 2026.9.3."""
    return tuple(int(part) for part in version.split("."))


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PackEntry(_Strict):
    id: str = Field(pattern=PACK_ID_RE)
    version: str = Field(pattern=VERSION_RE)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1)
    url: str = Field(description="relative to the index URL")
    issued_at: AwareDatetime
    expires_at: AwareDatetime

    @field_validator("url")
    @classmethod
    def _relative(cls, url: str) -> str:
        # Relative and without "..": a site can be moved between hosts and cannot point elsewhere.
        if not _SAFE_URL.match(url) or ".." in url.split("/"):
            raise ValueError("must be a relative path like packs/<id>-<version>.tar.gz")
        return url


class PackIndex(_Strict):
    format: Literal[1] = 1
    serial: int = Field(
        ge=MIN_SERIAL, le=MAX_SERIAL, description="strictly increasing with every publication"
    )
    issued_at: AwareDatetime
    expires_at: AwareDatetime
    packs: list[PackEntry] = Field(min_length=1, description="in layering order")

    @field_validator("packs")
    @classmethod
    def _unique_ids(cls, packs: list[PackEntry]) -> list[PackEntry]:
        ids = [p.id for p in packs]
        if len(set(ids)) != len(ids):
            raise ValueError("pack ids must be unique")
        return packs

    def to_bytes(self) -> bytes:
        data = self.model_dump(mode="json")
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes) -> PackIndex:
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            # an unknown key names itself in ``loc``: whatever length the index gave it
            where = one_line(".".join(str(p) for p in first["loc"]) or "index", 120)
            raise InvalidIndex(f"the pack index is invalid at {where}: {first['msg']}") from None

    def expired(self, now: datetime) -> bool:
        return now >= self.effective_expiry()

    def effective_expiry(self) -> datetime:
        """The earliest of the index's and its packs' expiry times."""
        return min([self.expires_at, *(p.expires_at for p in self.packs)])


def utc_now() -> datetime:
    return datetime.now(UTC)
