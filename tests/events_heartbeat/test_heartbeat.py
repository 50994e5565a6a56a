"""The heartbeat through real parts: the agent records it, uploads it, the collector takes it,
and the report's fleet section shows the device with the right flags."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from conftest import ENROLMENT_TOKEN
from keyring.backends.fail import Keyring as FailKeyring

from agent import __version__
from agent.api.keys import AUDIT, SETTINGS, TOKENS
from agent.api.keys import TOKEN as AGENT_TOKEN
from agent.app import create_app
from agent.config import Settings, UploadSettings
from agent.events import heartbeat
from agent.events.audit import AuditLog
from agent.events.records import AuditRecord, EventKind, HeartbeatPayload, PackInForce
from agent.events.upload import envelope_for
from agent.events.upload_device import request_device_token
from agent.events.upload_wire import encode_events, gzip_body
from agent.security.secrets import SecretStore

PLUGINS = ("agent.sync.plugin", "agent.events.upload_plugin", "agent.events.heartbeat")
CANARY = "Project Zebrafinch-7731"


def agent_app(
    tmp_path: Path, collector_url: str | None, plugins: Sequence[str] = PLUGINS
) -> web.Application:
    upload = UploadSettings(
        collector_url=collector_url,
        collector_token=ENROLMENT_TOKEN if collector_url else None,
        interval_s=0.1,
    )
    settings = Settings(
        config_dir=tmp_path / "config", data_dir=tmp_path / "agent-data", upload=upload
    )
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    return create_app(settings, plugins=plugins, secrets=store)


async def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def heartbeats(app: web.Application) -> list[AuditRecord]:
    return [r for r in app[AUDIT] if r.kind is EventKind.HEARTBEAT]


def stored(db: Path, kind: str) -> list[dict[str, Any]]:
    if not db.exists():
        return []
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT envelope FROM events WHERE kind = ?", (kind,)).fetchall()
    return [json.loads(raw)["event"] for (raw,) in rows]


def report(db: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "report", "--db", str(db), "--format", "json", *args],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


async def other_device(tmp_path: Path, collector_url: str, *, serial: int | None) -> str:
    """Another agent's device: enrolled, and (with a serial) one heartbeat uploaded."""
    log = AuditLog(tmp_path / "other" / "audit.sqlite3", user="bo@example.com")
    try:
        async with aiohttp.ClientSession() as session:
            token = await request_device_token(
                session, collector_url, ENROLMENT_TOKEN, device_id=log.device_id, user=log.user
            )
            assert token is not None
            if serial is None:
                return log.device_id
            payload = HeartbeatPayload(
                reason="start",
                agent_version=__version__,
                extension_version=None,
                paired=True,
                packs_source="sync",
                packs=[PackInForce(id="baseline", version="2026.12.1")],
                serial=serial,
                sync_state="ok",
                pending=0,
                last_upload=None,
            )
            record = log.append(EventKind.HEARTBEAT, payload)
            body = gzip_body(encode_events([envelope_for(record)]))
            headers = {"Authorization": f"Splunk {token}", "Content-Encoding": "gzip"}
            async with session.post(
                collector_url + "/services/collector/event", data=body, headers=headers
            ) as answer:
                assert answer.status == 200, await answer.text()
        return log.device_id
    finally:
        log.close()


async def override_through_the_api(client: TestClient[Any, Any], token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    checked = await client.post(
        "/v1/check",
        json={"text": f"Speaking on behalf of the company: {CANARY}", "platform": "linkedin"},
        headers=headers,
    )
    finding = (await checked.json())["findings"][0]
    response = await client.post(
        "/v1/overrides",
        json={
            "findings": [
                {"rule_id": finding["rule_id"], "pack": finding["pack"], "start": 0,
                 "end": len(CANARY), "matched": CANARY}
            ],
            "platform": "linkedin",
            "reason": "the information is already public",
            "justification": "The marker was quoted from a public press article.",
        },
        headers=headers,
    )  # fmt: skip
    assert response.status == 200, await response.text()
    override_id: str = (await response.json())["override_id"]
    return override_id


async def test_the_start_heartbeat_reaches_the_report_with_the_right_flags(
    tmp_path: Path, collector_url: str, collector_db: Path
) -> None:
    app = agent_app(tmp_path, collector_url)
    async with TestClient(TestServer(app)) as client:
        await wait_for(lambda: len(stored(collector_db, "heartbeat")) == 1)
        [beat] = heartbeats(app)
        assert beat.payload["reason"] == "start"
        device = app[AUDIT].device_id
        assert stored(collector_db, "heartbeat")[0]["event_id"] == beat.event_id
        newer = await other_device(tmp_path, collector_url, serial=7)
        silent = await other_device(tmp_path / "third", collector_url, serial=None)
        override_id = await override_through_the_api(client, app[AGENT_TOKEN])
        await wait_for(
            lambda: any(e["event_id"] == override_id for e in stored(collector_db, "override"))
        )
        assert app[AUDIT].verify().ok

    parsed = report(collector_db, "--stale-days", "3")
    fleet = {d["device_id"]: d for d in parsed["fleet"]["devices"]}
    mine = fleet[device]
    assert mine["agent_version"] == __version__
    assert mine["extension_version"] is None  # the extension does not tell the agent
    assert mine["packs_source"] == "bundled" and mine["packs"]
    assert mine["sync_state"] == "disabled" and mine["serial"] is None
    assert mine["paired"] is False  # at start no browser had used the token yet
    assert (mine["pending"], mine["last_upload"]) == (0, None)
    assert sorted(mine["flags"]) == ["old_packs", "unpaired"]
    assert fleet[newer]["flags"] == []
    assert fleet[silent]["flags"] == ["not_seen"] and fleet[silent]["last_heartbeat"] is None
    assert parsed["fleet"]["newest_serial"] == 7
    # Heartbeats (two devices' worth) are no one's activity: one override, one user.
    totals = parsed["totals"]
    assert (totals["events"], totals["overrides"], totals["users"], totals["skipped"]) == (
        1, 1, 1, 0
    )  # fmt: skip
    assert parsed["acknowledgement"]["users_seen"] == 1


async def test_paired_once_a_client_uses_the_current_token_until_it_is_revoked(
    tmp_path: Path, collector_url: str
) -> None:
    app = agent_app(tmp_path, collector_url)
    async with TestClient(TestServer(app)) as client:
        await wait_for(lambda: len(heartbeats(app)) == 1)
        answer = await client.post(
            "/v1/status", json={}, headers={"Authorization": f"Bearer {app[AGENT_TOKEN]}"}
        )
        assert answer.status == 200
        await wait_for(lambda: (tmp_path / "agent-data" / heartbeat.CLIENT_SEEN_FILE).exists())
    assert heartbeats(app)[0].payload["paired"] is False

    restarted = agent_app(tmp_path, collector_url)
    async with TestClient(TestServer(restarted)):
        await wait_for(lambda: len(heartbeats(restarted)) == 2)
        assert heartbeats(restarted)[-1].payload["paired"] is True
        await asyncio.to_thread(restarted[TOKENS].revoke)  # `postguard pair --revoke`

    again = agent_app(tmp_path, collector_url)
    async with TestClient(TestServer(again)):
        await wait_for(lambda: len(heartbeats(again)) == 3)
        assert heartbeats(again)[-1].payload["paired"] is False


async def test_a_heartbeat_each_day_after_the_first(tmp_path: Path, collector_url: str) -> None:
    app = agent_app(tmp_path, collector_url, plugins=("agent.events.upload_plugin",))
    # The plugin as the agent loads it, with a day 0.2 s long.
    heartbeat.setup(app, app[SETTINGS], interval=timedelta(seconds=0.2), tick_s=0.05)
    async with TestClient(TestServer(app)):
        await wait_for(lambda: len(heartbeats(app)) >= 3)
    reasons = [r.payload["reason"] for r in heartbeats(app)]
    assert reasons[:3] == ["start", "daily", "daily"]
    assert app[AUDIT].verify().ok


async def test_no_collector_no_heartbeat(tmp_path: Path) -> None:
    app = agent_app(tmp_path, None)
    async with TestClient(TestServer(app)) as client:
        answer = await client.post(
            "/v1/status", json={}, headers={"Authorization": f"Bearer {app[AGENT_TOKEN]}"}
        )
        assert answer.status == 200
        await asyncio.sleep(0.3)
        assert heartbeats(app) == []
