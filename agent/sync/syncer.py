"""One sync attempt: fetch, verify, unpack, compile, commit the last-known-good set.

The syncer never touches the running engine: it hands back the compiled engine and
whoever runs the agent swaps it in.  ``postguard sync`` uses the same code, so what
IT sees from the command line is exactly what the agent does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp

from agent.errors import UserError
from agent.publish.archive import ArchiveError, extract_archive
from agent.publish.index import INDEX_NAME, SIGNATURE_NAME, PackIndex, utc_now
from agent.publish.quoting import one_line
from agent.publish.signing import SignatureError, verify_index
from agent.sync.credentials import BearerToken, PackServerCredentials
from agent.sync.fetch import Fetched, FetchError, fetch, new_session
from agent.sync.options import SyncOptions
from agent.sync.status import ActivePack, read_record, write_record
from agent.sync.store import ActiveSet, PackMark, PackStore, StoreError, SyncState
from agent.sync.verify import Rejected, check_archive, check_index, check_unpacked

log = logging.getLogger("postguard.sync")

E = TypeVar("E")
Compile = Callable[[Sequence[Path]], E]
Clock = Callable[[], datetime]

LOCK_WAIT_S = 60.0
_MAX_SIGNATURE_BYTES = 64 * 1024


class Outcome(StrEnum):
    ACTIVATED = "activated"
    UP_TO_DATE = "up_to_date"
    REJECTED = "rejected"  # the publication is bad: keep the last good set, poll at normal pace
    FAILED = "failed"  # the server or network failed: back off


@dataclass(frozen=True)
class SyncResult(Generic[E]):
    outcome: Outcome
    message: str
    engine: E | None = None
    active: ActiveSet | None = None
    retry_after_s: float | None = None
    max_age_s: float | None = None
    expired: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.ACTIVATED, Outcome.UP_TO_DATE)


@dataclass
class Syncer(Generic[E]):
    options: SyncOptions
    store: PackStore
    compile: Compile[E]
    clock: Clock = utc_now
    credentials: PackServerCredentials | None = None
    session: aiohttp.ClientSession | None = None
    _own_session: bool = field(default=False, init=False)

    async def close(self) -> None:
        if self.session is not None and self._own_session:
            await self.session.close()
            self.session = None

    async def sync_once(self) -> SyncResult[E]:
        """Run one attempt under the store lock and record it in status.json."""
        lock = await asyncio.to_thread(self.store.lock)
        try:
            deadline = asyncio.get_running_loop().time() + LOCK_WAIT_S
            while not lock.try_acquire():
                if asyncio.get_running_loop().time() >= deadline:
                    return SyncResult(Outcome.FAILED, "another pack sync kept the store locked")
                await asyncio.sleep(0.1)
            started = self.clock()
            result = await self._attempt()
            try:
                await asyncio.to_thread(self._record, started, result)
            except OSError as exc:  # the outcome stands; only its record in status.json is lost
                log.warning("cannot record the sync in %s: %s", self.store.root, exc)
            return result
        finally:
            lock.release()

    # -- the attempt ---------------------------------------------------------------------------

    async def _attempt(self) -> SyncResult[E]:
        # Every message below may quote the publication or the server: one_line keeps it
        # one printable line of bounded length in the log, status and the CLI alike.
        try:
            return await self._fetch_and_activate()
        except Rejected as exc:
            message = one_line(exc.message)
            log.warning("pack update refused: %s", message)
            return SyncResult(Outcome.REJECTED, message, active=self._active_or_none())
        except FetchError as exc:
            message = one_line(exc.message)
            log.warning("pack sync failed: %s", message)
            return SyncResult(
                Outcome.FAILED,
                message,
                active=self._active_or_none(),
                retry_after_s=exc.retry_after_s,
            )
        except (OSError, StoreError) as exc:  # a full disk, a broken or read-only data dir
            message = one_line(f"the pack store {self.store.root} cannot be written: {exc}")
            log.warning("pack sync failed: %s", message)
            return SyncResult(Outcome.FAILED, message, active=self._active_or_none())

    async def _fetch_and_activate(self) -> SyncResult[E]:
        opts = self.options
        session = self._session()
        await asyncio.to_thread(self.store.recover)
        floor = await asyncio.to_thread(self.store.rollback_floor)
        active = self._active_or_none()
        etag = floor.etag if active is not None and floor.index_url == opts.index_url else None
        bearer = await self._bearer()

        fetched = await fetch(
            session,
            opts.index_url,
            max_bytes=opts.max_index_bytes,
            total_timeout_s=opts.total_timeout_s,
            etag=etag,
            bearer=bearer,
        )
        if fetched.not_modified and active is not None:
            return self._up_to_date(active, fetched, "the pack index has not changed")

        index_bytes = fetched.body
        index_sha = hashlib.sha256(index_bytes).hexdigest()
        sig_bytes = await self._fetch_signature(session, bearer)
        if active is not None and index_sha == active.index_sha256:
            # Same bytes as the active set: a server without ETags, or a freeze.  Re-check
            # the signature anyway so a stripped signature still shows up in status.
            try:
                verify_index(index_bytes, sig_bytes, opts.trusted_keys)
            except SignatureError as exc:
                raise Rejected(str(exc)) from None
            await asyncio.to_thread(self.store.save_state, _with_etag(floor, opts, fetched))
            return self._up_to_date(active, fetched, "the pack index has not changed")

        index = check_index(index_bytes, sig_bytes, opts.trusted_keys, floor, self.clock())
        archives = await self._download_archives(session, index, bearer)

        staging = await asyncio.to_thread(self.store.new_staging)
        try:
            await asyncio.to_thread(
                _unpack, staging, index, index_bytes, sig_bytes or b"", archives, opts
            )
            del archives
            engine = await asyncio.to_thread(self._compile, staging, index)
            committed = await asyncio.to_thread(self.store.commit, staging, index, index_sha)
        except BaseException:
            await asyncio.to_thread(self.store.discard, staging)
            raise
        marks = dict(floor.packs)
        marks.update({e.id: PackMark(version=e.version, sha256=e.sha256) for e in index.packs})
        state = SyncState(
            highest_serial=index.serial,
            index_sha256=index_sha,
            packs=marks,
            index_url=opts.index_url,
            etag=fetched.etag,
        )
        await asyncio.to_thread(self.store.save_state, state)
        versions = ", ".join(f"{e.id} {e.version}" for e in index.packs)
        log.info("activated signed packs (serial %d): %s", index.serial, versions)
        return SyncResult(
            Outcome.ACTIVATED,
            f"activated serial {index.serial}: {versions}",
            engine=engine,
            active=committed,
            max_age_s=fetched.max_age_s,
        )

    async def _bearer(self) -> BearerToken | None:
        """Looked up per attempt (the keyring may block: off the loop), so a new login counts."""
        if self.credentials is None:
            return None
        try:
            return await asyncio.to_thread(self.credentials.for_index, self.options.index_url)
        except UserError as exc:
            raise FetchError(f"cannot read the pack server token: {exc.message}") from None

    async def _fetch_signature(
        self, session: aiohttp.ClientSession, bearer: BearerToken | None
    ) -> bytes | None:
        try:
            fetched = await fetch(
                session,
                signature_url(self.options.index_url),
                max_bytes=_MAX_SIGNATURE_BYTES,
                total_timeout_s=self.options.total_timeout_s,
                bearer=bearer,
            )
        except FetchError as exc:
            if exc.status in (403, 404, 410):
                return None  # a missing signature is a rejection, never a retry
            raise
        return fetched.body

    async def _download_archives(
        self, session: aiohttp.ClientSession, index: PackIndex, bearer: BearerToken | None
    ) -> dict[str, bytes]:
        archives: dict[str, bytes] = {}
        for entry in index.packs:
            if entry.size > self.options.max_download_bytes:
                raise Rejected(
                    f"pack {entry.id} {entry.version} is {entry.size} bytes, over this agent's"
                    f" {self.options.max_download_bytes}-byte limit"
                )
            fetched = await fetch(
                session,
                urljoin(self.options.index_url, entry.url),
                max_bytes=entry.size,
                total_timeout_s=self.options.total_timeout_s,
                bearer=bearer,
            )
            check_archive(entry, fetched.body)
            archives[entry.id] = fetched.body
        return archives

    def _compile(self, staging: Path, index: PackIndex) -> E:
        try:
            return self.compile([staging / "packs" / e.id for e in index.packs])
        except UserError as exc:
            reason = exc.message
        except Exception as exc:  # noqa: BLE001 - a broken publication must never stop the agent
            reason = f"{type(exc).__name__}: {exc}"
        raise Rejected(f"the published packs do not compile: {_in_archive(reason, staging, index)}")

    def _up_to_date(self, active: ActiveSet, fetched: Fetched, message: str) -> SyncResult[E]:
        expired = active.index.expired(self.clock())
        if expired:
            message = (
                f"the active packs expired at {active.index.effective_expiry():%Y-%m-%d %H:%M}"
                " UTC and the server offers nothing newer; still enforcing them"
            )
        return SyncResult(
            Outcome.UP_TO_DATE, message, active=active, max_age_s=fetched.max_age_s, expired=expired
        )

    def _active_or_none(self) -> ActiveSet | None:
        try:
            return self.store.current()
        except StoreError:
            return None

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None:
            self.session = new_session(
                connect_timeout_s=self.options.connect_timeout_s,
                read_timeout_s=self.options.read_timeout_s,
            )
            self._own_session = True
        return self.session

    # -- status --------------------------------------------------------------------------------

    def _record(self, started: datetime, result: SyncResult[E]) -> None:
        previous = read_record(self.store.root)
        active = result.active
        message = one_line(result.message)
        fields: dict[str, object] = {
            "index_url": self.options.index_url,
            "last_attempt": started,
            "last_result": message,
            "last_error": None if result.ok else message,
        }
        if result.ok:
            fields["last_success"] = self.clock()
        if active is not None:
            fields.update(
                source="synced",
                serial=active.index.serial,
                packs=[ActivePack(id=e.id, version=e.version) for e in active.index.packs],
                expires_at=active.index.effective_expiry(),
            )
        write_record(self.store.root, previous.model_copy(update=fields))


def signature_url(index_url: str) -> str:
    parts = urlsplit(index_url)
    return urlunsplit(parts._replace(path=parts.path + ".sig"))


def _in_archive(reason: str, staging: Path, index: PackIndex) -> str:
    """``reason`` naming files inside the published packs, not the staging directory.

    The staging directory is deleted as soon as the set is refused, so a path into it
    helps no one; ``pack acme 1.2.0, rules/x.yaml:3: ...`` names the file in the archive.
    """
    for root in dict.fromkeys([staging, staging.resolve()]):
        for entry in index.packs:
            pack_dir = str(root / "packs" / entry.id)
            named = f"pack {entry.id} {entry.version}"
            reason = reason.replace(pack_dir + os.sep, f"{named}, ").replace(pack_dir, named)
        reason = reason.replace(str(root), "the downloaded set")
    return reason


def _with_etag(floor: SyncState, opts: SyncOptions, fetched: Fetched) -> SyncState:
    return floor.model_copy(update={"index_url": opts.index_url, "etag": fetched.etag})


def _unpack(
    staging: Path,
    index: PackIndex,
    index_bytes: bytes,
    sig_bytes: bytes,
    archives: dict[str, bytes],
    opts: SyncOptions,
) -> None:
    (staging / INDEX_NAME).write_bytes(index_bytes)
    (staging / SIGNATURE_NAME).write_bytes(sig_bytes)
    for entry in index.packs:
        pack_dir = staging / "packs" / entry.id
        pack_dir.mkdir(parents=True)
        try:
            extract_archive(archives[entry.id], pack_dir, max_bytes=opts.max_unpacked_bytes)
        except ArchiveError as exc:
            raise Rejected(
                f"the archive of pack {entry.id} {entry.version} is unsafe: {exc}"
            ) from None
        check_unpacked(entry, pack_dir)
