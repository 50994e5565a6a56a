"""Checks a downloaded publication must pass before anything is unpacked or compiled."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from agent.packs.errors import PackError
from agent.packs.yaml_source import LineDict, load_yaml
from agent.publish.index import InvalidIndex, PackEntry, PackIndex, version_key
from agent.publish.quoting import quoted
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
    same_publication = (
        index.serial == floor.highest_serial
        and hashlib.sha256(index_bytes).hexdigest() == floor.index_sha256
    )
    if index.serial <= floor.highest_serial and not same_publication:
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
    """The pack inside the archive must be the one the index names.

    ``pack.yaml`` is read by the one strict YAML loader, like every pack file: an alias
    bomb is refused before it can expand, whoever signed it.
    """
    path = pack_dir / "pack.yaml"
    if not path.exists():
        raise Rejected(f"the archive of pack {entry.id} has no pack.yaml")
    try:
        meta = load_yaml(path)
    except PackError as exc:
        line = f" line {exc.line}" if exc.line is not None else ""
        raise Rejected(f"pack {entry.id}: pack.yaml{line}: {exc.reason}") from None
    if not isinstance(meta, LineDict):
        raise Rejected(f"pack {entry.id}: pack.yaml is not a mapping")
    found = (str(meta.get("id")), str(meta.get("version")))
    if found != (entry.id, entry.version):
        raise Rejected(
            f"the archive for pack {entry.id} {entry.version} contains"
            f" {quoted(found[0])} {quoted(found[1])} (a file swapped in from another version)"
        )
