"""Recorded events leave for the collector at once, not at the uploader's next idle poll."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from keyring.backends.fail import Keyring as FailKeyring

from agent.api.keys import TOKEN as AGENT_TOKEN
from agent.app import create_app
from agent.collector.app import create_collector_app
from agent.collector.store import CollectorStore
from agent.config import Settings, UploadSettings
from agent.engine.result import Platform
from agent.events.audit import AuditLog
from agent.events.records import AcknowledgePayload, AuditRecord, EventKind
from agent.events.upload import Uploader, UploaderConfig
from agent.security.secrets import SecretStore

COLLECTOR_TOKEN = "wake-test-token-0123456789abcdef"
IDLE_POLL_S = 600.0
# Far below the idle poll: only a wake-up explains an arrival this soon.
PROMPT_S = 5.0

OVERRIDE = {
    "findings": [
        {
            "rule_id": "company_voice.on-behalf",
            "pack": {"id": "baseline", "version": "2026.1.0"},
            "start": 0,
            "end": 33,
            "matched": "Speaking on behalf of the company",
        }
    ],
    "platform": Platform.LINKEDIN.value,
    "reason": "my manager approved it",
    "justification": "The communications team approved this wording for my post.",
}


async def collector_url(aiohttp_server: Callable[..., Awaitable[TestServer]], db: Path) -> str:
    server = await aiohttp_server(create_collector_app(db, [COLLECTOR_TOKEN]))
    return str(server.make_url("/")).rstrip("/")


def stored(db: Path) -> set[str]:
    if not db.exists():
        return set()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {row[0] for row in conn.execute("SELECT event_id FROM events")}


async def arrival(db: Path, event_id: str) -> float:
    start = time.monotonic()
    while event_id not in stored(db):
        assert time.monotonic() - start < PROMPT_S, f"{event_id} still not at the collector"
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_each_kind_of_record_reaches_the_collector_at_once(
    tmp_path: Path, aiohttp_server: Any, aiohttp_client: Any
) -> None:
    db = tmp_path / "collector.sqlite3"
    url = await collector_url(aiohttp_server, db)
    settings = Settings(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        upload=UploadSettings(
            collector_url=url, collector_token=COLLECTOR_TOKEN, interval_s=IDLE_POLL_S
        ),
    )
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    app = create_app(settings, plugins=("agent.events.upload_plugin",), secrets=store)
    client = await aiohttp_client(app)
    auth = {"Authorization": f"Bearer {app[AGENT_TOKEN]}"}
    # Let the uploader start (a moment after the agent does), find the outbox empty and go
    # idle: what follows must then arrive by a wake-up, not by its first look.
    start = time.monotonic()
    while (await (await client.post("/v1/status", json={}, headers=auth)).json())["sections"][
        "uploads"
    ].get("state") == "starting":
        assert time.monotonic() - start < PROMPT_S, "the uploader did not start"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)

    # Overrides and acknowledgements name the agent's own active pack and policy versions.
    policy = await (await client.post("/v1/policy", json={}, headers=auth)).json()
    baseline = next(p for p in policy["packs"] if p["id"] == "baseline")
    finding = {
        **OVERRIDE["findings"][0],
        "pack": {"id": "baseline", "version": baseline["version"]},
    }
    requests = [
        ("/v1/overrides", {**OVERRIDE, "findings": [finding]}, "override_id"),
        ("/v1/feedback", {"rule_id": "company_voice.on-behalf", "kind": "unclear"}, "feedback_id"),
    ]
    for path, body, id_field in requests:
        response = await client.post(path, json=body, headers=auth)
        assert response.status == 200, await response.text()
        took = await arrival(db, (await response.json())[id_field])
        assert took < PROMPT_S
    response = await client.post(
        "/v1/acknowledge", json={"policy_version": policy["policy_version"]}, headers=auth
    )
    assert response.status == 200, await response.text()
    start = time.monotonic()
    while len(stored(db)) < 3:
        assert time.monotonic() - start < PROMPT_S, "the acknowledgement did not arrive"
        await asyncio.sleep(0.02)


class RacingLog(AuditLog):
    """The real audit log, with a writer that lands right after an empty outbox read.

    That is the window between the uploader deciding "nothing to send" and going to sleep:
    a wake-up in it must still cut the sleep short.
    """

    race: Callable[[], None] | None = None

    def pending(self, limit: int) -> list[AuditRecord]:
        records = super().pending(limit)
        if not records and self.race is not None:
            race, self.race = self.race, None
            race()
        return records


async def test_a_record_landing_while_the_uploader_goes_idle_is_not_left_behind(
    tmp_path: Path, aiohttp_server: Any
) -> None:
    db = tmp_path / "collector.sqlite3"
    url = await collector_url(aiohttp_server, db)
    log = RacingLog(tmp_path / "data" / "audit.sqlite3", user="alex@example.com")
    # The shared token only enrols; events go with the device's own token.
    device_token = CollectorStore(db).enrol_device(
        log.device_id, log.user, enrolled_by="tests", current_token=None
    )
    pool = ThreadPoolExecutor(max_workers=1)
    config = UploaderConfig(collector_url=url, token=device_token, interval_s=IDLE_POLL_S)
    uploader = Uploader(log, config, executor=pool)
    loop = asyncio.get_running_loop()
    appended: list[str] = []

    def writer() -> None:  # runs on the audit thread, like the API's writes
        record = log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="1"))
        appended.append(record.event_id)
        loop.call_soon_threadsafe(uploader.wake)

    log.race = writer
    task = asyncio.create_task(uploader.run())
    try:
        start = time.monotonic()
        while not appended:
            assert time.monotonic() - start < PROMPT_S
            await asyncio.sleep(0.01)
        await arrival(db, appended[0])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        pool.shutdown(wait=True)
        log.close()
