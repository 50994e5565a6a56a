"""The heartbeat: a small event, at start and once a day, that tells IT how this agent is.

Loaded by ``agent.app.create_app`` (``PLUGINS``).  It goes into the audit log like any
event, so it is chained, uploaded and checked like the rest: a device whose heartbeats stop
arriving is one the report can name.  Without a collector URL nothing is recorded, since
no one would read it and the log would only grow.

What it reads it does not change: the packs in force (``app[PACKS]``), the ``sync`` status
section, the audit log's outbox (pending count, last upload) and whether a client has used
the agent's current token (``paired``).  The extension's version is not known to the
agent (the extension does not send it), so it is recorded as None.

"Once a day" is measured on the wall clock in short naps: a machine that slept through
the day sends its heartbeat soon after it wakes, not a day after it woke.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final, get_args

from aiohttp import hdrs, web
from pydantic import JsonValue, ValidationError

from agent import __version__
from agent.api.admission import is_public
from agent.api.keys import AUDIT, AUDIT_POOL, ON_RECORDED, PACKS, STATUS_SECTIONS, TOKENS
from agent.config import Settings
from agent.events.audit import NotRecorded
from agent.events.records import (
    MAX_HEARTBEAT_PACKS,
    AuditRecord,
    EventKind,
    HeartbeatPayload,
    HeartbeatReason,
    PackInForce,
    SyncStateName,
)
from agent.fsutil import write_atomic
from agent.security.tokens import TokenBook, digest

log = logging.getLogger("postguard.heartbeat")

INTERVAL: Final = timedelta(days=1)
# How often the wall clock is looked at; also the delay before a failed heartbeat is retried.
TICK_S: Final = 600.0
# Which token a client last authenticated with, as its SHA-256 (what token.json holds too).
CLIENT_SEEN_FILE: Final = "client_seen.json"
_SYNC_STATES: Final = frozenset(get_args(SyncStateName))


class ClientSeen:
    """Whether a client (the paired browser) has used the agent's current token.

    A token is handed out only by pairing, so a client presenting the current one is a
    paired client; a revoke or a new pairing changes the current token, and the agent
    counts as unpaired until a client presents the new one.  Kept on disk, so the heartbeat
    at start knows it before the browser's first request.
    """

    def __init__(self, data_dir: Path, tokens: TokenBook) -> None:
        self._path = data_dir / CLIENT_SEEN_FILE
        self._tokens = tokens
        self._seen = _read_seen(self._path)

    def note(self, presented: str) -> bool:
        """Remember ``presented`` if it is the valid token; True when that is news to save."""
        if not presented or len(presented) > 1024:
            return False
        seen = digest(presented)
        if self._seen is not None and hmac.compare_digest(seen, self._seen):
            return False
        if not self._tokens.accepts(presented):
            return False
        self._seen = seen
        return True

    def save(self) -> None:
        if self._seen is None:
            return
        try:
            write_atomic(self._path, json.dumps({"sha256": self._seen}).encode())
        except OSError as exc:  # known for this run; the next request from the client retries
            log.warning("cannot record that a client is paired: %s", exc.strerror)
            self._seen = None

    def paired(self) -> bool:
        current = self._tokens.current_nowait()  # None: retired by another process
        return (
            current is not None
            and self._seen is not None
            and hmac.compare_digest(digest(current), self._seen)
        )


def _read_seen(path: Path) -> str | None:
    try:
        value = json.loads(path.read_bytes()[:1024])["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) and len(value) == 64 else None


def setup(
    app: web.Application,
    settings: Settings,
    *,
    interval: timedelta = INTERVAL,
    tick_s: float = TICK_S,
) -> None:
    if settings.upload.collector_url is None:
        return
    seen = ClientSeen(settings.data_dir, app[TOKENS])

    async def observe(request: web.Request, response: web.StreamResponse) -> None:
        if is_public(request):
            return
        scheme, _, presented = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
        if scheme.lower() == "bearer" and seen.note(presented.strip()):
            # Off the event loop; a lost write only means noting it again next request.
            asyncio.get_running_loop().run_in_executor(None, seen.save)

    app.on_response_prepare.append(observe)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_run(app, seen, interval, tick_s), name="postguard-heartbeat")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(lifecycle)


async def _run(app: web.Application, seen: ClientSeen, interval: timedelta, tick_s: float) -> None:
    reason: HeartbeatReason = "start"
    while True:
        recorded = await beat(app, seen, reason)
        due = datetime.now(UTC) + (interval if recorded else timedelta(seconds=tick_s))
        if recorded:
            reason = "daily"
        while (left := (due - datetime.now(UTC)).total_seconds()) > 0:
            await asyncio.sleep(min(left, tick_s))


async def beat(app: web.Application, seen: ClientSeen, reason: HeartbeatReason) -> bool:
    """Record one heartbeat and wake the uploader; False (logged) when it was not recorded."""
    sync = await asyncio.to_thread(_sync_section, app[STATUS_SECTIONS].get("sync"))
    paired = await asyncio.to_thread(seen.paired)
    activation = app[PACKS].activation
    packs = [PackInForce(id=p.id, version=p.version) for p in activation.engine.packs]
    audit = app[AUDIT]

    def record() -> AuditRecord:
        payload = HeartbeatPayload(
            reason=reason,
            agent_version=__version__,
            extension_version=None,
            paired=paired,
            packs_source=activation.source,
            packs=packs[:MAX_HEARTBEAT_PACKS],
            serial=_serial(sync.get("serial")),
            sync_state=_state(sync.get("state")),
            pending=audit.pending_count(),
            last_upload=audit.last_uploaded(),
        )
        return audit.append(EventKind.HEARTBEAT, payload)

    try:
        await asyncio.get_running_loop().run_in_executor(app[AUDIT_POOL], record)
    except NotRecorded as exc:
        log.warning("heartbeat not recorded: %s", exc.reason)
        return False
    except ValidationError as exc:  # a pack id or version beyond the event's bounds
        log.error("heartbeat not recorded: %s", exc.errors(include_input=False)[0]["msg"])
        return False
    for notify in app.get(ON_RECORDED, ()):
        notify()
    return True


def _sync_section(section: Callable[[], Mapping[str, JsonValue]] | None) -> Mapping[str, JsonValue]:
    if section is None:
        return {}
    try:
        return section()
    except Exception as exc:  # noqa: BLE001 - an unreadable sync status is "unknown", not fatal
        log.warning("heartbeat: sync status unreadable: %s", type(exc).__name__)
        return {}


def _serial(value: JsonValue) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _state(value: JsonValue) -> SyncStateName | None:
    if isinstance(value, str) and value in _SYNC_STATES:
        return value  # type: ignore[return-value]
    return None
