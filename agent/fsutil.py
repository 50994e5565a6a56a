"""Durable file writes: temp file + fsync + rename, so a crash leaves old or new, never half."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

OWNER_ONLY: Final = 0o600
WORLD_READABLE: Final = 0o644  # files meant to be served, e.g. a pack site


def write_atomic(path: Path, data: bytes, *, mode: int = OWNER_ONLY) -> None:
    """Replace ``path`` with ``data``; the file has ``mode`` (owner-only unless told).

    The bytes are flushed before the rename and the directory after it, so a crash or a
    full disk leaves the old file or the new one, never a mix, and no stray temp file.
    A missing parent directory is created, owner-only for an owner-only file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if mode == OWNER_ONLY else 0o755)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    # O_EXCL with the mode at creation: a private file is never readable by others, even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # exactly, whatever the umask took away
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename or a new entry in ``path`` durable."""
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """Flush every file and directory under ``root`` (deepest first) to disk."""
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))
