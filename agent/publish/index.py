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

INDEX_FORMAT = 1
INDEX_NAME = "index.json"
SIGNATURE_NAME = "index.json.sig"

PACK_ID_RE = r"^[a-z0-9][a-z0-9-]{0,63}$"
VERSION_RE = r"^[0-9]{1,9}(\.[0-9]{1,9}){0,5}$"
_SAFE_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class InvalidIndex(ValueError):
    """The index is not a valid PostGuard pack index."""


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
    serial: int = Field(ge=1, description="strictly increasing with every publication")
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
            where = ".".join(str(p) for p in first["loc"]) or "index"
            raise InvalidIndex(f"the pack index is invalid at {where}: {first['msg']}") from None

    def expired(self, now: datetime) -> bool:
        return now >= self.effective_expiry()

    def effective_expiry(self) -> datetime:
        """The earliest of the index's and its packs' expiry times."""
        return min([self.expires_at, *(p.expires_at for p in self.packs)])


def utc_now() -> datetime:
    return datetime.now(UTC)
