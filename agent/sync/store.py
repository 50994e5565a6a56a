"""The last-known-good pack set on disk, activated by swapping one pointer file.

Layout under ``<data dir>/sync``::

    current                 the name of the active set (replaced with os.replace)
    sets/set-<serial>-<digest>/index.json, index.json.sig, packs/<id>/...
    sets/.staging-<random>/ a set being written; never referenced by ``current``
    state.json              anti-rollback marks and the index ETag
    status.json             what the last attempts did (see ``status``)
    lock                    serialises the agent and ``postguard sync``

A set is written into a staging directory, flushed to disk, renamed into place,
and only then does ``current`` point at it.  A kill at any moment leaves
``current`` naming a complete set (the old or the new one); ``recover`` removes
whatever else is lying around.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.fsutil import fsync_dir, fsync_tree, write_atomic
from agent.publish.index import INDEX_NAME, InvalidIndex, PackIndex, version_key

CURRENT = "current"
STATE = "state.json"
STAGING_PREFIX = ".staging-"
_SET_NAME = re.compile(r"^set-[0-9]{12}-[0-9a-f]{12}$")


class StoreError(Exception):
    """The stored set is unusable; the agent falls back to its bundled packs."""


class PackMark(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    sha256: str


class SyncState(BaseModel):
    """What must survive restarts: the highest serial and pack versions ever activated."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    highest_serial: int = 0
    packs: dict[str, PackMark] = Field(default_factory=dict)
    index_url: str | None = None
    etag: str | None = None


@dataclass(frozen=True)
class ActiveSet:
    name: str
    path: Path
    index: PackIndex
    index_sha256: str

    @property
    def pack_dirs(self) -> list[Path]:
        """In layering order, as listed in the index."""
        return [self.path / "packs" / entry.id for entry in self.index.packs]


class PackStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.sets = root / "sets"

    def ensure(self) -> None:
        self.sets.mkdir(parents=True, exist_ok=True)

    # -- reading -------------------------------------------------------------------------------

    def current_name(self) -> str | None:
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        if not _SET_NAME.match(name):
            raise StoreError(f"the pointer file {self.root / CURRENT} is damaged")
        return name

    def current(self) -> ActiveSet | None:
        name = self.current_name()
        if name is None:
            return None
        path = self.sets / name
        try:
            index_bytes = (path / INDEX_NAME).read_bytes()
            index = PackIndex.parse(index_bytes)
        except (OSError, InvalidIndex) as exc:
            raise StoreError(f"the last good pack set {name} cannot be read: {exc}") from None
        active = ActiveSet(name, path, index, hashlib.sha256(index_bytes).hexdigest())
        missing = [d.name for d in active.pack_dirs if not (d / "pack.yaml").is_file()]
        if missing:
            raise StoreError(f"the last good pack set {name} lacks packs: {', '.join(missing)}")
        return active

    def load_state(self) -> SyncState:
        try:
            return SyncState.model_validate_json((self.root / STATE).read_bytes())
        except FileNotFoundError:
            return SyncState()
        except (OSError, ValidationError):
            # A damaged mark file must not lower the rollback floor to zero: the active set's
            # own serial still counts (see ``rollback_floor``).
            return SyncState()

    def rollback_floor(self) -> SyncState:
        """The highest marks from state.json and the active set, whichever is higher.

        A kill between the pointer swap and the state write leaves state.json one step
        behind; the active set's own index covers that gap.
        """
        state = self.load_state()
        try:
            active = self.current()
        except StoreError:
            active = None
        if active is None:
            return state
        packs = dict(state.packs)
        for entry in active.index.packs:
            mark = packs.get(entry.id)
            if mark is None or version_key(entry.version) > version_key(mark.version):
                packs[entry.id] = PackMark(version=entry.version, sha256=entry.sha256)
        return state.model_copy(
            update={
                "highest_serial": max(state.highest_serial, active.index.serial),
                "packs": packs,
            }
        )

    def save_state(self, state: SyncState) -> None:
        self.ensure()
        write_atomic(self.root / STATE, state.model_dump_json(indent=2).encode("utf-8"))

    # -- writing -------------------------------------------------------------------------------

    def new_staging(self) -> Path:
        self.ensure()
        path = self.sets / f"{STAGING_PREFIX}{secrets.token_hex(8)}"
        path.mkdir()
        return path

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def commit(self, staging: Path, index: PackIndex, index_sha256: str) -> ActiveSet:
        """Make a fully written staging directory the active set."""
        name = f"set-{index.serial:012d}-{index_sha256[:12]}"
        target = self.sets / name
        if target.exists():  # left by a kill between rename and pointer swap
            shutil.rmtree(target)
        fsync_tree(staging)
        os.replace(staging, target)
        fsync_dir(self.sets)
        write_atomic(self.root / CURRENT, (name + "\n").encode("ascii"))
        self._remove_unreferenced(keep=name)
        return ActiveSet(name, target, index, index_sha256)

    def recover(self) -> list[str]:
        """Remove staging dirs, temp files and sets the pointer does not name; return them."""
        if not self.root.exists():
            return []
        removed = [p.name for p in self.root.glob(".*.tmp")]
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        try:
            keep = self.current_name()
        except StoreError:
            keep = None
        return removed + self._remove_unreferenced(keep=keep)

    def _remove_unreferenced(self, keep: str | None) -> list[str]:
        removed: list[str] = []
        if not self.sets.exists():
            return removed
        for entry in self.sets.iterdir():
            if entry.name == keep:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
        return removed

    def lock(self) -> StoreLock:
        self.root.mkdir(parents=True, exist_ok=True)
        return StoreLock(self.root / "lock")

    @contextlib.contextmanager
    def locked(self, timeout_s: float) -> Iterator[None]:
        """Hold the store's file lock; TimeoutError if another process keeps it too long."""
        lock = self.lock()
        deadline = time.monotonic() + timeout_s
        while not lock.try_acquire():
            if time.monotonic() >= deadline:
                lock.close()
                raise TimeoutError("another pack sync is running")
            time.sleep(0.05)
        try:
            yield
        finally:
            lock.release()


class StoreLock:
    """An advisory whole-file lock, released by the OS if the holder is killed."""

    def __init__(self, path: Path) -> None:
        self._fh = path.open("a+b")

    def try_acquire(self) -> bool:
        return _try_lock(self._fh.fileno())

    def release(self) -> None:
        try:
            _unlock(self._fh.fileno())
        finally:
            self.close()

    def close(self) -> None:
        self._fh.close()


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
