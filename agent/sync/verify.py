"""Checks a downloaded publication must pass before anything is unpacked or compiled."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import yaml

from agent.publish.index import InvalidIndex, PackEntry, PackIndex, version_key
from agent.publish.signing import SignatureError, verify_index
from agent.sync.store import SyncState


class Rejected(Exception):
    """The publication is refused; ``message`` says why in plain words for status."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_index(
    index_bytes: bytes,
    sig_bytes: bytes | None,
    trusted_keys: Sequence[str],
    floor: SyncState,
    now: datetime,
) -> PackIndex:
    """Signature first (before parsing anything), then rollback, then expiry."""
    try:
        verify_index(index_bytes, sig_bytes, trusted_keys)
    except SignatureError as exc:
        raise Rejected(str(exc)) from None
    try:
        index = PackIndex.parse(index_bytes)
    except InvalidIndex as exc:
        raise Rejected(str(exc)) from None
    if index.serial <= floor.highest_serial:
        raise Rejected(
            f"the published index (serial {index.serial}) is not newer than the one already"
            f" accepted (serial {floor.highest_serial}); refusing a rollback"
        )
    for entry in index.packs:
        mark = floor.packs.get(entry.id)
        if mark is None:
            continue
        if version_key(entry.version) < version_key(mark.version):
            raise Rejected(
                f"pack {entry.id} {entry.version} is older than {mark.version} already accepted;"
                " refusing a rollback"
            )
        if entry.version == mark.version and entry.sha256 != mark.sha256:
            raise Rejected(f"pack {entry.id} {entry.version} changed without a new version number")
    if index.expired(now):
        raise Rejected(
            f"the published index expired at {index.effective_expiry():%Y-%m-%d %H:%M} UTC;"
            " ask IT to publish a fresh build"
        )
    return index


def check_archive(entry: PackEntry, data: bytes) -> None:
    if len(data) != entry.size:
        raise Rejected(
            f"the archive of pack {entry.id} {entry.version} is {len(data)} bytes, the signed"
            f" index says {entry.size} (truncated or replaced)"
        )
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        raise Rejected(
            f"the archive of pack {entry.id} {entry.version} does not match its signed hash"
            " (replaced or corrupted)"
        )


def check_unpacked(entry: PackEntry, pack_dir: Path) -> None:
    """The pack inside the archive must be the one the index names."""
    try:
        meta = yaml.safe_load((pack_dir / "pack.yaml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Rejected(f"the archive of pack {entry.id} has no pack.yaml") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise Rejected(
            f"pack {entry.id}: pack.yaml is not valid YAML: {_first_line(exc)}"
        ) from None
    if not isinstance(meta, dict):
        raise Rejected(f"pack {entry.id}: pack.yaml is not a mapping")
    found = (str(meta.get("id")), str(meta.get("version")))
    if found != (entry.id, entry.version):
        raise Rejected(
            f"the archive for pack {entry.id} {entry.version} contains"
            f" {found[0]} {found[1]} (a file swapped in from another version)"
        )


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
