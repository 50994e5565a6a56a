"""The active pack set: an immutable Engine behind one reference, swapped atomically.

A check takes ``holder.current()`` once and uses that engine to the end, so it sees exactly
one pack set even while a swap happens.  Whoever replaces the packs (the ``--watch`` poller
here, the sync loop) compiles the new Engine first and only then calls ``swap``; a set that
fails to compile goes to ``record_error`` and the old engine stays active.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.engine import Engine
    from agent.engine_cache import EngineCache

log = logging.getLogger("postguard.packs")


@dataclass(frozen=True)
class Activation:
    engine: Engine
    source: str  # "bundled", "local", "watch", "sync", ...
    activated_at: datetime


class PackHolder:
    def __init__(self, engine: Engine, source: str) -> None:
        self._lock = threading.Lock()
        self._active = Activation(engine, source, datetime.now(UTC))
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None

    def current(self) -> Engine:
        return self._active.engine

    @property
    def activation(self) -> Activation:
        return self._active

    def swap(self, engine: Engine, source: str) -> None:
        """Make ``engine`` the active set; clears the last error."""
        with self._lock:
            self._active = Activation(engine, source, datetime.now(UTC))
            self.last_error = None
            self.last_error_at = None
        # `postguard serve` froze the start-up engine out of garbage collection; back in
        # the collected generations, the retired set can go.
        gc.unfreeze()
        log.info("activated packs from %s: %s", source, _describe(engine))

    def record_error(self, reason: str) -> None:
        """A replacement failed; the active set stays, and status shows why."""
        with self._lock:
            self.last_error = reason
            self.last_error_at = datetime.now(UTC)
        log.warning("packs not replaced, keeping the active set: %s", reason)


def _describe(engine: Engine) -> str:
    return ", ".join(f"{ref.id} {ref.version}" for ref in engine.packs) or "none"


def load_engine(pack_dirs: Sequence[Path], cache: EngineCache | None = None) -> Engine:
    """Compile the packs in ``pack_dirs``; a broken pack raises a UserError naming it.

    With ``cache``, a set compiled before is read back from disk instead.
    """
    if cache is not None:
        return cache.load(pack_dirs)
    from agent.packs.compile import compile_dirs

    return compile_dirs(list(pack_dirs))


def snapshot(pack_dirs: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """mtime and size of every file under the pack dirs: cheap enough to poll every second."""
    seen: dict[Path, tuple[int, int]] = {}
    for root in pack_dirs:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            try:
                if path.is_file():
                    stat = path.stat()
                    seen[path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                continue
    return seen


async def watch_packs(holder: PackHolder, pack_dirs: Sequence[Path], interval_s: float) -> None:
    """Recompile and swap whenever a file under ``pack_dirs`` changes; runs until cancelled."""
    before = await asyncio.to_thread(snapshot, pack_dirs)
    while True:
        await asyncio.sleep(interval_s)
        now = await asyncio.to_thread(snapshot, pack_dirs)
        if now == before:
            continue
        before = now
        try:
            engine = await asyncio.to_thread(load_engine, pack_dirs)
        except UserError as exc:
            holder.record_error(exc.message)
            continue
        holder.swap(engine, "watch")
