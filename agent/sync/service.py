"""The agent's side of sync: start from the last good set, then poll, verify, swap.

Also notices a set activated by ``postguard sync`` in another process (the
``current`` pointer changed) and swaps it in, so the command line and the agent
never disagree about what is enforced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import JsonValue

from agent.engine import Engine
from agent.publish.index import utc_now
from agent.publish.quoting import one_line
from agent.runtime import PackHolder, load_engine
from agent.sync.options import SyncOptions
from agent.sync.schedule import Schedule
from agent.sync.status import ActivePack, SyncStatus, read_record, write_record
from agent.sync.store import PackStore, StoreError

if TYPE_CHECKING:  # the syncer (HTTP client, signatures) loads only when sync is configured
    from agent.sync.credentials import PackServerCredentials
    from agent.sync.syncer import Syncer, SyncResult

log = logging.getLogger("postguard.sync")

SOURCE = "sync"
STORE_DIR = "sync"
START_LOCK_WAIT_S = 10.0


class SyncService:
    def __init__(
        self,
        options: SyncOptions | None,
        store: PackStore,
        holder: PackHolder,
        *,
        compile: Callable[[Sequence[Path]], Engine] = load_engine,
        clock: Callable[[], datetime] = utc_now,
        schedule: Schedule | None = None,
        watch_interval_s: float = 5.0,
        credentials: PackServerCredentials | None = None,
    ) -> None:
        self.options = options
        self.store = store
        self.holder = holder
        self.compile = compile
        self.clock = clock
        self.watch_interval_s = watch_interval_s
        self.schedule = schedule or Schedule(
            options.poll_interval_s if options else 900.0,
            jitter=options.poll_jitter if options else 0.1,
            backoff_base_s=options.backoff_base_s if options else 30.0,
            backoff_cap_s=options.backoff_cap_s if options else 3600.0,
            max_honoured_s=options.max_honoured_delay_s if options else 86400.0,
        )
        self.syncer: Syncer[Engine] | None = None
        if options is not None:
            from agent.sync.syncer import Syncer

            self.syncer = Syncer(options, store, compile, clock=clock, credentials=credentials)
        self._loaded: str | None = None
        self._wake = asyncio.Event()

    # -- start ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Enforce the last-known-good set if there is one; else keep the bundled packs."""
        if self.options is None:
            return
        try:
            with self.store.locked(START_LOCK_WAIT_S):
                removed = self.store.recover()
                if removed:
                    log.info("removed %d leftovers of an interrupted pack activation", len(removed))
                self._load_current()
                self._write_active_record()
        except (OSError, TimeoutError) as exc:
            # The agent still checks (bundled packs, or the set already loaded); the poll
            # loop retries, and status says why until a sync succeeds.
            self.holder.record_error(f"the pack store {self.store.root} cannot be used: {exc}")

    def _load_current(self) -> None:
        try:
            active = self.store.current()
            if active is None:
                return
            engine = self.compile(active.pack_dirs)
        except Exception as exc:  # noqa: BLE001 - fall back to the bundled packs, never fail start
            reason = str(getattr(exc, "message", exc))
            self.holder.record_error(one_line(f"the last good pack set cannot be used ({reason})"))
            return
        self.holder.swap(engine, SOURCE)
        self._loaded = active.name

    def _write_active_record(self) -> None:
        record = read_record(self.store.root)
        update: dict[str, Any] = {"index_url": self.options.index_url if self.options else None}
        if self._loaded is None:  # bundled or local packs: no serial, no expiry
            engine = self.holder.current()
            update.update(
                source=self.holder.activation.source,
                serial=None,
                expires_at=None,
                packs=[ActivePack(id=p.id, version=p.version) for p in engine.packs],
            )
        write_record(self.store.root, record.model_copy(update=update))

    # -- loop ----------------------------------------------------------------------------------

    def sync_soon(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Poll until cancelled; every failure is recorded in status, none ends the loop."""
        assert self.syncer is not None
        delay = self.schedule.first_delay()
        while True:
            await self._set_next_attempt(delay)
            await self._wait(delay)
            try:
                result = await self.syncer.sync_once()
            except Exception as exc:  # noqa: BLE001 - the loop outlives any one failed attempt
                result = self._unexpected(exc)
            self._apply(result)
            delay = self._next_delay(result)

    def _unexpected(self, exc: Exception) -> SyncResult[Engine]:
        from agent.sync.syncer import Outcome, SyncResult

        message = one_line(f"pack sync failed: {type(exc).__name__}: {exc}")
        log.error("%s (retrying with backoff)", message)
        self.holder.record_error(message)
        return SyncResult(Outcome.FAILED, message)

    def _apply(self, result: SyncResult[Engine]) -> None:
        from agent.sync.syncer import Outcome

        if result.outcome is Outcome.ACTIVATED and result.engine is not None:
            self.holder.swap(result.engine, SOURCE)
            self._loaded = result.active.name if result.active else None
        elif result.outcome is Outcome.REJECTED:
            self.holder.record_error(result.message)

    def _next_delay(self, result: SyncResult[Engine]) -> float:
        from agent.sync.syncer import Outcome

        if result.outcome is Outcome.FAILED:
            return self.schedule.after_failure(result.retry_after_s)
        if result.outcome is Outcome.REJECTED:
            return self.schedule.after_rejection()
        return self.schedule.after_success(result.max_age_s)

    async def _wait(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while (left := deadline - loop.time()) > 0:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(left, self.watch_interval_s))
            except TimeoutError:
                await self._follow_pointer()
                continue
            self._wake.clear()
            return

    async def _follow_pointer(self) -> None:
        """Swap in a set that ``postguard sync`` activated from another process."""
        try:
            name = await asyncio.to_thread(self.store.current_name)
        except StoreError:
            return
        if name is None or name == self._loaded:
            return
        try:
            active = await asyncio.to_thread(self.store.current)
            if active is None:
                return
            engine = await asyncio.to_thread(self.compile, active.pack_dirs)
        except Exception as exc:  # noqa: BLE001 - a set mid-replacement; the next look settles it
            log.info("the active pack set changed but could not be loaded yet: %s", exc)
            return
        self.holder.swap(engine, SOURCE)
        self._loaded = active.name

    async def _set_next_attempt(self, delay: float) -> None:
        when = self.clock() + timedelta(seconds=delay)

        def write() -> None:
            with self.store.locked(START_LOCK_WAIT_S):
                record = read_record(self.store.root)
                write_record(self.store.root, record.model_copy(update={"next_attempt": when}))

        try:
            await asyncio.to_thread(write)
        except (OSError, TimeoutError) as exc:
            log.warning("cannot record the next sync time: %s", exc)

    # -- status and lifecycle ------------------------------------------------------------------

    def status(self) -> dict[str, JsonValue]:
        record = read_record(self.store.root)
        if self.options is None:
            record = record.model_copy(update={"index_url": None})
        data: dict[str, JsonValue] = SyncStatus.of(record, self.clock()).model_dump(mode="json")
        return data

    async def lifecycle(self, app: object) -> AsyncIterator[None]:
        task = asyncio.create_task(self.run(), name="postguard-sync")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.syncer is not None:
            await self.syncer.close()
