"""The agent's upload plugin: a recorded override reaches the collector; status shows uploads."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp import web
from keyring.backends.fail import Keyring as FailKeyring
from upload_support import TOKEN, Collector

from agent.api.keys import TOKEN as AGENT_TOKEN
from agent.app import create_app
from agent.config import Settings, UploadSettings
from agent.security.secrets import SecretStore

CANARY = "Project Zebrafinch-7731"


def agent_app(tmp_path: Path, upload: UploadSettings) -> web.Application:
    settings = Settings(
        config_dir=tmp_path / "config", data_dir=tmp_path / "agent-data", upload=upload
    )
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    return create_app(settings, plugins=("agent.events.upload_plugin",), secrets=store)


async def status_of(client: Any, token: str) -> dict[str, Any]:
    response = await client.post(
        "/v1/status", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 200, await response.text()
    body: dict[str, Any] = await response.json()
    return body


async def flagged(client: Any, token: str, text: str) -> dict[str, Any]:
    """The first finding of a real check: overrides must name the active pack's version."""
    response = await client.post(
        "/v1/check",
        json={"text": text, "platform": "linkedin"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    finding: dict[str, Any] = (await response.json())["findings"][0]
    return finding


async def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_an_override_through_the_api_reaches_the_collector_without_the_draft(
    tmp_path: Path, collector: Collector, aiohttp_client: Any
) -> None:
    upload = UploadSettings(collector_url=collector.url, collector_token=TOKEN, interval_s=0.1)
    app = agent_app(tmp_path, upload)
    client = await aiohttp_client(app)
    token = app[AGENT_TOKEN]
    finding = await flagged(client, token, f"Speaking on behalf of the company: {CANARY}")
    response = await client.post(
        "/v1/overrides",
        json={
            "findings": [
                {
                    "rule_id": finding["rule_id"],
                    "pack": finding["pack"],
                    "start": 0,
                    "end": len(CANARY),
                    "matched": CANARY,  # as if the span had covered the canary
                }
            ],
            "platform": "linkedin",
            "reason": "the information is already public",
            "justification": "The marker was quoted from a public press article.",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    override_id = (await response.json())["override_id"]
    await wait_for(lambda: collector.stored_ids() == [override_id])
    uploads: dict[str, Any] = {}

    async def refreshed() -> None:
        nonlocal uploads
        for _ in range(100):
            uploads = (await status_of(client, token))["sections"]["uploads"]
            if uploads.get("uploaded_since_start") == 1:
                return
            await asyncio.sleep(0.05)

    await refreshed()
    assert uploads["pending"] == 0 and uploads["enrolled"] is True
    assert uploads["last_success"] is not None and uploads["last_error"] is None
    with open(collector.db_path, "rb") as handle:
        assert CANARY.encode() not in handle.read()
    bodies = collector.faults.bodies
    assert bodies and all(CANARY.encode() not in b for b in bodies)


async def test_an_unenrolled_agent_keeps_its_events_and_says_so(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    app = agent_app(tmp_path, UploadSettings())
    client = await aiohttp_client(app)
    token = app[AGENT_TOKEN]
    policy = await client.post("/v1/policy", json={}, headers={"Authorization": f"Bearer {token}"})
    response = await client.post(
        "/v1/acknowledge",
        json={"policy_version": (await policy.json())["policy_version"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    uploads: dict[str, Any] = {"state": "starting"}
    for _ in range(100):
        uploads = (await status_of(client, token))["sections"]["uploads"]
        if uploads.get("state") != "starting":
            break
        await asyncio.sleep(0.05)
    assert uploads["enrolled"] is False
    assert "postguard enroll" in uploads["last_error"]
