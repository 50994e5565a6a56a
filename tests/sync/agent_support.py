"""The real agent with sync on, driven over HTTP like the extension drives it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from keyring.backends.fail import Keyring as FailKeyring
from sync_support import Publisher

from agent.api.keys import PACKS, TOKEN
from agent.api.server import runner_options
from agent.app import create_app
from agent.config import Settings, SyncSettings
from agent.security.secrets import SecretStore

PLUGIN = ("agent.sync.plugin",)


def settings_for(tmp_path: Path, index_url: str, keys: list[str], **sync: Any) -> Settings:
    return Settings(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        sync=SyncSettings(index_url=index_url, trusted_keys=keys, poll_interval_s=0.3, **sync),
    )


async def start(
    aiohttp_client: Any, settings: Settings
) -> tuple[web.Application, TestClient[Any, Any]]:
    app = create_app(
        settings, plugins=PLUGIN, secrets=SecretStore(settings.config_dir, backend=FailKeyring())
    )
    server = TestServer(app)
    await server.start_server(**runner_options(settings))
    return app, await aiohttp_client(server)


async def synced_once(
    aiohttp_client: Any, tmp_path: Path, site_url: str, publisher: Publisher, now: datetime
) -> None:
    """An agent that synced 1.0.0 and stopped: its last good set is on disk for the next."""
    publisher.publish("1.0.0", now=now)
    first, _ = await start(aiohttp_client, settings_for(tmp_path, site_url, publisher.public_keys))
    await wait_for(lambda: versions(first) == [("acme", "1.0.0")])
    await first.shutdown()
    await first.cleanup()


def versions(app: web.Application) -> list[tuple[str, str]]:
    return [(p.id, p.version) for p in app[PACKS].current().packs]


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def status(client: TestClient[Any, Any], app: web.Application) -> dict[str, Any]:
    resp = await client.post(
        "/v1/status", json={}, headers={"Authorization": f"Bearer {app[TOKEN]}"}
    )
    assert resp.status == 200
    data: dict[str, Any] = await resp.json()
    return data


async def check(client: TestClient[Any, Any], app: web.Application, text: str) -> dict[str, Any]:
    resp = await client.post(
        "/v1/check",
        json={"text": text, "platform": "linkedin"},
        headers={"Authorization": f"Bearer {app[TOKEN]}"},
    )
    assert resp.status == 200, await resp.text()
    data: dict[str, Any] = await resp.json()
    return data


async def sync_status_when(
    client: TestClient[Any, Any],
    app: web.Application,
    condition: Callable[[dict[str, Any]], bool],
    timeout: float = 15.0,
) -> dict[str, Any]:
    """The ``sync`` status section, polled over the API until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        section: dict[str, Any] = (await status(client, app))["sections"]["sync"]
        if condition(section):
            return section
        assert time.monotonic() < deadline, f"sync status never got there: {section}"
        await asyncio.sleep(0.05)
