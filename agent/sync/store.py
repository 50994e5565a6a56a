"""The last-known-good pack set on disk, activated by swapping one pointer file.

Layout under ``<data dir>/sync``::

    current                 the name of the active set (replaced with os.replace)
    sets/set-<serial>-<digest>/index.json, index.json.sig, packs/<id>/...
    sets/.staging-<random>/ a set being written; never referenced by ``current``
    state.json              anti-rollback marks and the index ETag
    status.json             what the last attempts did (see ``status``)
    lock                    serialises the agent and ``postguard sync``

A set is written into a staging directory, flushed to disk, renamed into place,
and only then does ``current`` point at it; the set it replaces is removed only
once the pointer has been read back naming the new set and that set loads.  A
kill at any moment leaves ``current`` naming a complete set (the old or the new
one).  A pointer that is missing, unreadable or names a set that does not load
is not the end of the store: the newest set that does load is used (and
``recover`` points ``current`` back at it), so only a store with no usable set
at all falls back to the bundled packs.
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
from agent.publish.index import INDEX_NAME, SERIAL_DIGITS, InvalidIndex, PackIndex, version_key

CURRENT = "current"
STATE = "state.json"
STAGING_PREFIX = ".staging-"
# Older agents wrote 12-digit serials; the width now follows the serial range itself, so
# every serial a publication may carry names a set this pattern accepts.
_SET_NAME = re.compile(rf"^set-([0-9]{{1,{SERIAL_DIGITS}}})-[0-9a-f]{{12}}$")


def set_name(serial: int, index_sha256: str) -> str:
    """The directory name of the set of one publication; zero-padded, so names sort by serial."""
    return f"set-{serial:0{SERIAL_DIGITS}d}-{index_sha256[:12]}"


def set_serial(name: str) -> int | None:
    """The serial a set name carries, or None for anything that is not a set name."""
    match = _SET_NAME.match(name)
    return int(match.group(1)) if match else None


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
    # The sha256 of the index accepted at ``highest_serial``: the same publication fetched
    # again (a store that lost its sets) is accepted, not refused as a rollback of itself.
    index_sha256: str | None = None
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
        """The name of the set ``current()`` returns (None: no set; StoreError: none loads)."""
        active = self.current()
        return active.name if active is not None else None

    def current(self) -> ActiveSet | None:
        """The set the pointer names; if it cannot be used, the newest set that can.

        None when there is no pointer and no set; StoreError when there are sets or a
        pointer but nothing loads (the error says what is wrong with the pointed-at set).
        """
        problem: StoreError | None = None
        name: str | None = None
        try:
            name = self._pointer()
            if name is not None:
                return self._open(name)
        except StoreError as exc:
            problem = exc
        fallback = self._newest_usable(skip=name)
        if fallback is not None:
            return fallback
        if problem is not None:
            raise problem
        return None

    def _pointer(self) -> str | None:
        path = self.root / CURRENT
        try:
            with path.open("rb") as handle:
                raw = handle.read(256)  # a set name is 46 bytes; a damaged file may be anything
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"the pointer file {path} cannot be read: {exc.strerror}") from None
        name = raw.decode("ascii", "replace").strip()
        if set_serial(name) is None:
            raise StoreError(f"the pointer file {path} is damaged")
        return name

    def _open(self, name: str) -> ActiveSet:
        path = self.sets / name
        try:
            index_bytes = (path / INDEX_NAME).read_bytes()
            index = PackIndex.parse(index_bytes)
        except (OSError, InvalidIndex) as exc:
            raise StoreError(f"the last good pack set {name} cannot be read: {exc}") from None
        if set_serial(name) != index.serial:
            raise StoreError(f"the last good pack set {name} holds serial {index.serial}")
        active = ActiveSet(name, path, index, hashlib.sha256(index_bytes).hexdigest())
        missing = [d.name for d in active.pack_dirs if not (d / "pack.yaml").is_file()]
        if missing:
            raise StoreError(f"the last good pack set {name} lacks packs: {', '.join(missing)}")
        return active

    def _newest_usable(self, skip: str | None = None) -> ActiveSet | None:
        """Sets are only ever renamed into place complete, so any that loads was verified."""
        try:
            names = [p.name for p in self.sets.iterdir()]
        except OSError:
            return None
        candidates = sorted(
            ((serial, name) for name in names if (serial := set_serial(name)) is not None),
            reverse=True,
        )
        for _serial, name in candidates:
            if name == skip:
                continue
            try:
                return self._open(name)
            except StoreError:
                continue
        return None

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
        update: dict[str, object] = {"packs": packs}
        serial = active.index.serial
        if serial > state.highest_serial or (
            serial == state.highest_serial and state.index_sha256 is None
        ):
            update.update(highest_serial=serial, index_sha256=active.index_sha256)
        return state.model_copy(update=update)

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
        """Make a fully written staging directory the active set.

        The set it replaces stays on disk until the pointer has been read back naming the
        new set and the new set loads; if that fails, StoreError, and ``current()`` still
        finds the old set.
        """
        name = set_name(index.serial, index_sha256)
        target = self.sets / name
        if target.exists():  # left by a kill between rename and pointer swap
            shutil.rmtree(target)
        fsync_tree(staging)
        os.replace(staging, target)
        fsync_dir(self.sets)
        write_atomic(self.root / CURRENT, (name + "\n").encode("ascii"))
        if self._pointer() != name:
            raise StoreError(f"the pointer file {self.root / CURRENT} did not take the new set")
        active = self._open(name)
        self._remove_unreferenced(keep=name)
        return active

    def recover(self) -> list[str]:
        """Point ``current`` at the set in use and remove everything else; return what went.

        Staging directories, temp files and sets other than the one in use are removed.
        When no set loads at all, only staging directories and temp files go: the sets
        may be unreadable for a passing reason, and nothing is gained by deleting them.
        """
        if not self.root.exists():
            return []
        removed = [p.name for p in self.root.glob(".*.tmp")]
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        try:
            active = self.current()
        except StoreError:
            active = None
        if active is None:
            return removed + self._remove_unreferenced(keep=None, sets_too=False)
        try:
            pointer = self._pointer()
        except StoreError:
            pointer = None
        if pointer != active.name:
            write_atomic(self.root / CURRENT, (active.name + "\n").encode("ascii"))
        return removed + self._remove_unreferenced(keep=active.name)

    def _remove_unreferenced(self, keep: str | None, *, sets_too: bool = True) -> list[str]:
        removed: list[str] = []
        if not self.sets.exists():
            return removed
        for entry in self.sets.iterdir():
            if entry.name == keep or (not sets_too and set_serial(entry.name) is not None):
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
