"""Pack archives: deterministic to build, defensive to unpack.

Building the same pack twice gives the same bytes (sorted entries, fixed mtimes,
owners and modes, no gzip timestamp or file name), so the published sha256 only
changes when the pack does.  Unpacking never trusts the archive: regular files
only, no absolute paths or "..", a member count and total size cap, and a
truncated or corrupt stream is an error rather than a partial pack.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from agent.fsutil import read_regular_file
from agent.publish.quoting import quoted

FIXED_MTIME = 0
# Editor and OS litter that must never change a pack's hash.
_IGNORED_NAMES = {".DS_Store", "Thumbs.db", "__pycache__"}

MAX_MEMBERS = 2_000
MAX_FILE_BYTES = 64 * 1024 * 1024  # per file of a pack being built
_TAR_OVERHEAD = 1536  # per member: header, a possible PAX header, padding


class ArchiveError(ValueError):
    """The archive cannot be built or is unsafe or broken; the message says why."""


def pack_files(pack_dir: Path) -> list[tuple[str, Path]]:
    """The files that make up a pack, as (archive name, path), sorted by name."""
    files: list[tuple[str, Path]] = []
    for path in pack_dir.rglob("*"):
        rel = path.relative_to(pack_dir)
        if any(part in _IGNORED_NAMES or part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            raise ArchiveError(f"{path} is a symbolic link; packs may contain regular files only")
        if path.is_file():
            files.append((rel.as_posix(), path))
    files.sort(key=lambda item: item[0])
    return files


def build_archive(pack_dir: Path, replace: Mapping[str, bytes] | None = None) -> bytes:
    """The archive of ``pack_dir``; ``replace`` gives other bytes for some of its files."""
    replace = replace or {}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path in pack_files(pack_dir):
            data = replace[name] if name in replace else _read(path)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=FIXED_MTIME) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def _read(path: Path) -> bytes:
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from None


def extract_archive(
    data: bytes, dest: Path, *, max_bytes: int, max_members: int = MAX_MEMBERS
) -> list[Path]:
    """Unpack into ``dest`` (which must exist and be empty); return the files written."""
    written: list[Path] = []
    total = 0
    seen: set[str] = set()
    raw = _gunzip(data, limit=max_bytes + _TAR_OVERHEAD * (max_members + 2))
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for count, member in enumerate(tar, start=1):
                if count > max_members:
                    raise ArchiveError(f"the archive has more than {max_members} entries")
                if member.isdir():
                    continue
                if not member.isfile():
                    raise ArchiveError(
                        f"{quoted(member.name)} is not a regular file (links are refused)"
                    )
                name = _safe_name(member.name)
                if name in seen:
                    raise ArchiveError(f"{quoted(name)} appears twice in the archive")
                seen.add(name)
                total += member.size
                if total > max_bytes:
                    raise ArchiveError(f"the unpacked pack is larger than {max_bytes} bytes")
                source = tar.extractfile(member)
                if source is None:  # pragma: no cover - isfile() members always have data
                    raise ArchiveError(f"{quoted(name)} has no data")
                content = source.read()
                if len(content) != member.size:
                    raise ArchiveError("the archive is truncated")
                target = dest.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(target)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile):
        raise ArchiveError("the archive is truncated or corrupt") from None
    if not written:
        raise ArchiveError("the archive is empty")
    return written


def _gunzip(data: bytes, *, limit: int) -> bytes:
    """Decompress all of it first, so a cut-off tail or a bad CRC cannot go unnoticed."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise ArchiveError("the archive is truncated or corrupt") from None
    if len(raw) > limit:
        raise ArchiveError(f"the unpacked pack is larger than {limit} bytes")
    if not inflater.eof:
        raise ArchiveError("the archive is truncated or corrupt")
    if inflater.unused_data:
        raise ArchiveError("the archive has trailing data after its end")
    return raw


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or path.is_absolute()
        or any(part in ("..", "") for part in path.parts)
        or ":" in path.parts[0]
    ):
        raise ArchiveError(f"{quoted(name)} is not a safe relative path")
    return path.as_posix()
