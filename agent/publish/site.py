"""Build the static distribution site: archives, then the signed index.

Archives are named by pack id and version and never rewritten with other bytes,
so an agent that fetched the previous index mid-publication still finds what it
names; the builder refuses to publish changed content under an old version.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.errors import UserError
from agent.fsutil import WORLD_READABLE, write_atomic
from agent.packs.errors import PackError
from agent.packs.yaml_source import LineDict, load_yaml
from agent.publish.archive import ArchiveError, build_archive
from agent.publish.index import (
    INDEX_NAME,
    PACK_ID_RE,
    SIGNATURE_NAME,
    VERSION_RE,
    InvalidIndex,
    PackEntry,
    PackIndex,
    check_serial,
    utc_now,
)
from agent.publish.quoting import quoted
from agent.publish.signing import sign_index
from agent.publish.withhold import withheld_examples

ARCHIVE_DIR = "packs"
_DURATION = re.compile(r"^\s*(\d+)\s*([dhms])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True)
class PackSource:
    id: str
    version: str
    directory: Path


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m`` or ``3600s``."""
    match = _DURATION.match(text)
    if not match or int(match.group(1)) <= 0:
        raise UserError(f"{text!r} is not a duration like 30d, 12h, 90m or 3600s")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def read_pack_source(directory: Path) -> PackSource:
    path = directory / "pack.yaml"
    if not path.exists():
        raise UserError(f"{directory} is not a pack: {path} is missing")
    try:
        meta = load_yaml(path)
    except PackError as exc:
        raise UserError(exc.message) from None
    if not isinstance(meta, LineDict):
        raise UserError(f"{path}: expected a mapping with id and version")
    pack_id, version = str(meta.get("id", "")), str(meta.get("version", ""))
    if not re.match(PACK_ID_RE, pack_id):
        raise UserError(f"{path}: id {quoted(pack_id)} must match [a-z0-9-]+")
    if not re.match(VERSION_RE, version):
        raise UserError(f"{path}: version {quoted(version)} must be dotted integers like 2026.11.1")
    return PackSource(pack_id, version, directory)


def previous_serial(out: Path) -> int:
    """The serial of the index already in ``out`` (0 if none): a rebuild must go higher."""
    try:
        return PackIndex.parse((out / INDEX_NAME).read_bytes()).serial
    except FileNotFoundError:
        return 0
    except (OSError, InvalidIndex) as exc:
        raise UserError(f"{out / INDEX_NAME} exists but cannot be read: {exc}") from None


def build_site(
    pack_dirs: Sequence[Path],
    keys: Sequence[Ed25519PrivateKey],
    out: Path,
    *,
    expires_in: timedelta,
    now: datetime | None = None,
    serial: int | None = None,
) -> PackIndex:
    """Write archives, ``index.json`` and ``index.json.sig`` into ``out``; return the index.

    The serial defaults to the larger of the previous serial + 1 and the build time in
    Unix seconds, so it keeps rising across build machines without shared state.
    """
    now = (now or utc_now()).replace(microsecond=0)
    sources = [read_pack_source(d) for d in pack_dirs]
    ids = [s.id for s in sources]
    if len(set(ids)) != len(ids):
        raise UserError(f"the same pack id is given twice: {', '.join(ids)}")
    last = previous_serial(out)
    given = serial is not None
    if serial is None:
        serial = max(last + 1, int(now.timestamp()))
    try:
        check_serial(serial)
    except ValueError as exc:
        raise UserError(f"{'--serial: ' if given else ''}{exc}") from None
    if serial <= last:
        raise UserError(f"--serial {serial} must be higher than the published serial {last}")

    (out / ARCHIVE_DIR).mkdir(parents=True, exist_ok=True)
    entries = [_publish_archive(source, out, now, now + expires_in) for source in sources]
    index = PackIndex(serial=serial, issued_at=now, expires_at=now + expires_in, packs=entries)
    index_bytes = index.to_bytes()
    write_atomic(out / SIGNATURE_NAME, sign_index(index_bytes, keys), mode=WORLD_READABLE)
    write_atomic(out / INDEX_NAME, index_bytes, mode=WORLD_READABLE)
    return index


def _publish_archive(
    source: PackSource, out: Path, issued_at: datetime, expires_at: datetime
) -> PackEntry:
    try:
        data = build_archive(source.directory, withheld_examples(source.directory))
    except ArchiveError as exc:
        raise UserError(str(exc)) from None
    rel = f"{ARCHIVE_DIR}/{source.id}-{source.version}.tar.gz"
    target = out / rel
    if target.exists() and target.read_bytes() != data:
        raise UserError(
            f"pack {source.id} {source.version} was already published with different content;"
            f" raise its version in {source.directory / 'pack.yaml'}"
        )
    if not target.exists():
        write_atomic(target, data, mode=WORLD_READABLE)  # served as-is
    return PackEntry(
        id=source.id,
        version=source.version,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        url=rel,
        issued_at=issued_at,
        expires_at=expires_at,
    )
