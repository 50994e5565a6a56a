"""File helpers: durable writes (temp file + fsync + rename, so a crash leaves old or new,
never half) and bounded reads of regular files (never a FIFO, a device or an endless file).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Final

OWNER_ONLY: Final = 0o600
WORLD_READABLE: Final = 0o644  # files meant to be served, e.g. a pack site
_READ_CHUNK = 1024 * 1024
# Opening a FIFO for reading blocks until a writer comes; O_NONBLOCK returns at once, and
# the fstat below then refuses it.  Regular files ignore the flag.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


class NotRegularFile(OSError):
    """A FIFO, socket, device or directory where a regular file was expected."""


class FileTooLarge(OSError):
    """A regular file over the caller's byte limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"the file is {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (a link to one counts) of <= ``max_bytes``.

    A FIFO, a socket or a device (``/dev/zero``, ``/dev/stdin``) is refused before a byte is
    read, so it can neither hang the reader nor feed it without end; a file that grows while
    it is read is cut off at the limit and refused.  Raises ``OSError`` (``NotRegularFile``,
    ``FileTooLarge`` or what ``open`` raised); ``strerror`` is a plain reason.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise FileTooLarge(info.st_size, max_bytes)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_READ_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise FileTooLarge(total, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


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
