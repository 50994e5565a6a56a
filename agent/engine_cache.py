"""Compiled pack sets kept on disk, so a restart skips YAML parsing and compiling.

A cache file is ``<data_dir>/cache/engine-<key>.pickle``.  The key is a SHA-256 over
everything the compiled engine depends on: this format, the Python build, the agent
version, the source of the engine and pack loader, and the path and bytes of every file
under every pack directory, in layer order.  An edited pack, a new agent or another
Python therefore never finds a stale file; it misses, compiles and writes its own.

Unpickling runs code named in the file, so a file is only unpickled after its
HMAC-SHA256 verifies.  The HMAC key is derived from the device's fingerprint secret,
which lives in the keyring (or the 0600 secrets file in the config dir), never in the
cache directory.  The tag also covers the file's key, so a valid file for one pack set
cannot be renamed to stand in for another (an older, weaker set, say).

Every failure is a miss: an unreadable, truncated, tampered or foreign file is ignored
and replaced; an engine that cannot be pickled or a directory that cannot be written is
logged once and the agent runs on the freshly compiled engine.

The agent starts by calling ``prefetch`` before its slow imports: hashing the pack files,
reading the cache file and checking its tag (tens of megabytes for a large pack set) then
run in a thread, and release the GIL while they do, so they overlap with the imports;
``load`` unpickles the bytes that thread verified.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import os
import pickle
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Final

import agent
from agent.fsutil import write_atomic

if TYPE_CHECKING:
    from agent.engine import Engine
    from agent.security.secrets import SecretStore

log = logging.getLogger("postguard.packs")

CACHE_DIR: Final = "cache"
FORMAT: Final = b"postguard-engine-cache/1\n"
KEEP: Final = 4  # e.g. the bundled set, the synced set, and the sets they replace
_TAG_BYTES: Final = 32
_PREFIX: Final = "engine-"
_SUFFIX: Final = ".pickle"
_KEY_LABEL: Final = b"postguard engine cache key"
# A writer killed mid-write leaves its temp file; one this old is not being written.
_STALE_TEMP_S: Final = 3600.0

# What a prefetch found for its pack dirs: the key, and the verified payload or None (a miss).
_Fetched = tuple[str | None, memoryview | None]


class EngineCache:
    """Load a pack set's compiled engine from disk, or compile it and save it there.

    ``load`` has the signature of :func:`agent.runtime.load_engine`, so it can stand in
    wherever packs are compiled (start-up, sync).  Thread-safe.
    """

    def __init__(self, directory: Path, secret: str, *, write_behind: bool = False) -> None:
        self.directory = directory
        self._key = hmac.new(secret.encode("utf-8"), _KEY_LABEL, hashlib.sha256).digest()
        # The agent writes after it starts answering; the command line writes before it exits.
        self._write_behind = write_behind
        self._writers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._warned = False
        self._prefetch: tuple[tuple[Path, ...], Future[_Fetched]] | None = None

    @classmethod
    def in_data_dir(cls, data_dir: Path, secret: str, *, write_behind: bool = False) -> EngineCache:
        return cls(data_dir / CACHE_DIR, secret, write_behind=write_behind)

    @classmethod
    def for_agent(cls, data_dir: Path, secrets: SecretStore) -> EngineCache:
        """The running agent's cache: keyed by the device's fingerprint secret, written behind."""
        from agent.security.secrets import FINGERPRINT_KEY

        key = secrets.get_or_create(FINGERPRINT_KEY)
        return cls.in_data_dir(data_dir, key, write_behind=True)

    def prefetch(self, pack_dirs: Sequence[Path]) -> None:
        """Start finding and verifying the file of ``pack_dirs`` in a thread, for ``load``."""
        dirs = tuple(pack_dirs)
        future: Future[_Fetched] = Future()

        def fetch() -> None:
            try:
                key = _safe_key(dirs)
                future.set_result((key, self._verified(key) if key is not None else None))
            except BaseException as exc:  # noqa: BLE001 - load raises it or works around it
                future.set_exception(exc)

        self._prefetch = (dirs, future)
        threading.Thread(target=fetch, name="postguard-cache-read", daemon=True).start()

    def load(self, pack_dirs: Sequence[Path]) -> Engine:
        """The compiled engine for ``pack_dirs``; a broken pack raises its UserError."""
        key, payload = self._fetched(tuple(pack_dirs))
        if key is not None and payload is not None:
            cached = self._unpickle(key, payload)
            if cached is not None:
                return cached
        from agent.packs.compile import compile_dirs  # a hit needs neither loader nor compiler

        engine = compile_dirs(list(pack_dirs))
        # Only save under the key the compiled files really had: an edit during the compile
        # would otherwise file the new engine under the old files' key.
        if key is not None and _safe_key(pack_dirs) == key:
            self._save(key, engine)
        return engine

    def lookup(self, key: str) -> Engine | None:
        """The engine stored under ``key`` if its file is intact and genuine, else None."""
        payload = self._verified(key)
        return self._unpickle(key, payload) if payload is not None else None

    def _fetched(self, dirs: tuple[Path, ...]) -> _Fetched:
        """A prefetch's result for ``dirs`` (taken once), else the same work done here."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None and prefetch[0] == dirs:
            with contextlib.suppress(Exception):
                return prefetch[1].result()
        key = _safe_key(dirs)
        return key, self._verified(key) if key is not None else None

    def _verified(self, key: str) -> memoryview | None:
        """The payload of ``key``'s file if its tag verifies; every failure is a miss."""
        path = self.path_for(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("compiled pack cache %s unreadable (%s); compiling", path, exc.strerror)
            return None
        header = len(FORMAT) + _TAG_BYTES
        view = memoryview(data)
        if len(data) <= header or not data.startswith(FORMAT):
            log.warning("compiled pack cache %s is not a cache file; compiling", path.name)
            return None
        if not hmac.compare_digest(view[len(FORMAT) : header], self._tag(key, view[header:])):
            log.warning("compiled pack cache %s failed verification; compiling", path.name)
            return None
        # The bytes just verified, never the file again: what is unpickled is what was checked.
        return view[header:]

    def _unpickle(self, key: str, payload: memoryview) -> Engine | None:
        from agent.engine import Engine

        path = self.path_for(key)
        try:
            engine = pickle.loads(payload)  # noqa: S301 - authenticated by _verified
        except Exception as exc:  # noqa: BLE001 - a file from a broken build is only a miss
            log.warning("compiled pack cache %s cannot be read (%s); compiling", path.name, exc)
            return None
        if not isinstance(engine, Engine):
            log.warning("compiled pack cache %s holds no engine; compiling", path.name)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        log.info("compiled packs loaded from %s", path)
        return engine

    def store(self, key: str, engine: Engine) -> bool:
        """Write ``engine`` under ``key`` now; False (and a log line) when it cannot be."""
        try:
            payload = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - e.g. a matcher holding an unpicklable object
            self._warn_once(f"the compiled engine cannot be saved ({type(exc).__name__}: {exc})")
            return False
        path = self.path_for(key)
        try:
            write_atomic(path, FORMAT + self._tag(key, payload) + payload)
        except OSError as exc:
            self._warn_once(f"cannot write {path} ({exc.strerror or exc})")
            return False
        self._prune(keep=path)
        return True

    def wait(self) -> None:
        """Finish pending write-behind saves (at shutdown, and in tests)."""
        with self._lock:
            writers, self._writers = self._writers, []
        for writer in writers:
            writer.join()

    def path_for(self, key: str) -> Path:
        return self.directory / f"{_PREFIX}{key}{_SUFFIX}"

    def _save(self, key: str, engine: Engine) -> None:
        if not self._write_behind:
            self.store(key, engine)
            return
        # Not a daemon: an agent stopped right after start still finishes its file.
        writer = threading.Thread(
            target=self.store, args=(key, engine), name="postguard-cache-write"
        )
        with self._lock:
            self._writers = [w for w in self._writers if w.is_alive()]
            self._writers.append(writer)
        writer.start()

    def _tag(self, key: str, payload: bytes | memoryview) -> bytes:
        mac = hmac.new(self._key, FORMAT, hashlib.sha256)
        mac.update(key.encode("ascii"))
        mac.update(payload)
        return mac.digest()

    def _prune(self, keep: Path) -> None:
        """Keep the ``KEEP`` most recently used files (and ``keep``); drop stale temp files."""
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return
        files: list[tuple[float, Path]] = []
        now = time.time()
        for entry in entries:
            with contextlib.suppress(OSError):
                mtime = entry.stat(follow_symlinks=False).st_mtime
                name = entry.name
                if name.startswith(_PREFIX) and name.endswith(_SUFFIX):
                    files.append((mtime, Path(entry.path)))
                elif name.startswith(f".{_PREFIX}") and now - mtime > _STALE_TEMP_S:
                    os.unlink(entry.path)
        files.sort(reverse=True)
        for _, path in files[KEEP:]:
            if path != keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _warn_once(self, reason: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning("compiled packs not cached: %s; starts will compile them", reason)


def cache_key(pack_dirs: Sequence[Path]) -> str:
    """The hex SHA-256 naming the cache file of ``pack_dirs``; raises OSError if unreadable."""
    digest = hashlib.sha256(_code_fingerprint())
    for directory in pack_dirs:
        root = Path(directory).resolve()
        _feed(digest, b"dir", str(root).encode("utf-8", "surrogateescape"))
        for path in _files(root):
            _feed(digest, b"file", str(path.relative_to(root)).encode("utf-8", "surrogateescape"))
            _feed(digest, b"data", path.read_bytes())
    return digest.hexdigest()


def _safe_key(pack_dirs: Sequence[Path]) -> str | None:
    try:
        return cache_key(pack_dirs)
    except OSError:
        return None  # the compile that follows reports the unreadable pack properly


def _files(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def _feed(digest: hashlib._Hash, kind: bytes, value: bytes) -> None:
    # Length-prefixed, so no two different inputs run together into the same bytes.
    digest.update(kind + len(value).to_bytes(8, "big"))
    digest.update(value)


@functools.cache
def _code_fingerprint() -> bytes:
    """What the pickled objects' meaning depends on beyond the pack files."""
    import pydantic

    digest = hashlib.sha256(FORMAT)
    for part in (agent.__version__, sys.version, sys.implementation.cache_tag, pydantic.VERSION):
        _feed(digest, b"version", str(part).encode())
    # A changed engine or loader (a development checkout, an upgrade without a version bump)
    # must not load objects pickled from the old classes.
    package = Path(agent.__file__).parent
    for sub in ("engine", "packs"):
        for path in sorted((package / sub).rglob("*.py")):
            _feed(digest, b"source", path.relative_to(package).as_posix().encode())
            _feed(digest, b"data", path.read_bytes())
    return digest.digest()
