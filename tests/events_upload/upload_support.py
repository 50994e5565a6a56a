"""Shared pieces of the upload tests: a fault-injecting collector and audit records."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from agent.collector.integrity import Flag
from agent.collector.store import CollectorStore
from agent.engine.result import Category, Platform, Severity
from agent.events.audit import AuditLog
from agent.events.records import EventKind, FlaggedSpan, OverridePayload

TOKEN = "upload-test-token-0123456789abcdef"  # the enrolment token

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Faults:
    """A plan of misbehaviours, one per incoming request, in front of the real collector.

    ok      pass through
    500     answer 500 without storing
    503     answer 503 with Retry-After: 1 without storing
    413     answer 413 when the batch holds more than one event
    hang    never answer (the client times out), nothing stored
    lost    store the batch, then never answer: the sender cannot know it was accepted
    """

    plan: list[str] = field(default_factory=list)
    seen: list[tuple[str, int]] = field(default_factory=list)  # (action, events in the batch)
    headers: list[dict[str, str]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)  # as decompressed by the server
    release: asyncio.Event = field(default_factory=asyncio.Event)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        action = self.plan.pop(0) if self.plan else "ok"
        self.headers.append(dict(request.headers))
        body = await request.read()
        self.bodies.append(body)
        events = body.count(b'"event_id"')
        self.seen.append((action, events))
        if action == "500":
            return web.json_response({"text": "Internal server error", "code": 8}, status=500)
        if action == "503":
            return web.json_response(
                {"text": "Server is busy", "code": 9}, status=503, headers={"Retry-After": "1"}
            )
        if action == "413" and events > 1:
            return web.json_response({"text": "Content too large", "code": 6}, status=413)
        if action == "hang":
            await self.release.wait()
        response = await handler(request)
        if action == "lost":
            await self.release.wait()
        return response


@dataclass
class Collector:
    url: str
    db_path: Path
    faults: Faults
    tokens: dict[str, str] = field(default_factory=dict)  # device id -> device token

    def stored_ids(self) -> list[str]:
        with sqlite3.connect(self.db_path) as conn:
            return [row[0] for row in conn.execute("SELECT event_id FROM events")]

    def device_token(self, log: AuditLog) -> str:
        """Enrol the log's device in the collector's store (as its enrol endpoint would)."""
        if log.device_id not in self.tokens:
            store = CollectorStore(self.db_path)
            try:
                self.tokens[log.device_id] = store.enrol_device(
                    log.device_id, log.user, enrolled_by="tests", current_token=None
                )
            finally:
                store.close()
        return self.tokens[log.device_id]

    def flags(self) -> list[Flag]:
        store = CollectorStore(self.db_path)
        try:
            return store.flags()
        finally:
            store.close()


def record_overrides(log: AuditLog, count: int) -> list[str]:
    payload = OverridePayload(
        platform=Platform.LINKEDIN,
        reason="the information is already public",
        justification="The launch date was announced in the press release this morning.",
        findings=[
            FlaggedSpan(
                rule_id="confidential.codename",
                pack_id="example-company",
                pack_version="2026.11.1",
                category=Category.CONFIDENTIAL,
                severity=Severity.WARN,
                fingerprint="ab" * 32,
            )
        ],
    )
    return [log.append(EventKind.OVERRIDE, payload).event_id for _ in range(count)]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


async def run_postguard(env: dict[str, str], *args: str) -> Ran:
    """``postguard ARGS`` as a real process; awaited, so servers on this loop keep serving."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "agent",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


# The agent tests' one small pack: an agent starts in a moment on it (the baseline compiles).
SMALL_PACK = Path(__file__).parents[1] / "agent" / "fixtures" / "packs" / "core"


def agent_env(root: Path) -> dict[str, str]:
    """A machine of its own under ``root``: config, managed config and data dirs, no keyring."""
    return {
        **os.environ,
        "POSTGUARD_PACK_DIRS": str(SMALL_PACK),
        "POSTGUARD_CONFIG_DIR": str(root / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(root / "site"),
        "POSTGUARD_DATA_DIR": str(root / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


def enrolled_devices(db_path: Path) -> dict[str, str]:
    """device id -> enrolled user, as the collector's database holds them."""
    with sqlite3.connect(db_path) as conn:
        return {str(d): str(u) for d, u in conn.execute("SELECT device_id, user FROM devices")}
