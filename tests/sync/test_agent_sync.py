"""Sync inside the real agent: start from the last good set, hot-swap updates, keep the old
set on a bad publication, and keep answering checks promptly while the pack server hangs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent_support import check, settings_for, start, status, synced_once, versions, wait_for
from aiohttp import web
from aiohttp.test_utils import TestServer
from sync_support import Publisher

from agent.api.keys import PACKS
from agent.paths import BUNDLED_PACKS

NOW = datetime.now(UTC)


async def test_agent_syncs_swaps_and_keeps_the_last_good_set(
    aiohttp_client: Any, tmp_path: Path, publisher: Publisher, site_url: str
) -> None:
    publisher.publish("1.0.0", now=NOW)
    settings = settings_for(tmp_path, site_url, publisher.public_keys)
    app, client = await start(aiohttp_client, settings)
    bundled = [p.id for p in app[PACKS].current().packs]
    assert bundled == [p.name for p in BUNDLED_PACKS]  # first run: bundled until synced

    await wait_for(lambda: versions(app) == [("acme", "1.0.0")])
    result = await check(client, app, "we ship project acme 1x0x0 soon")
    assert [f["pack"]["version"] for f in result["findings"]] == ["1.0.0"]

    publisher.publish("1.1.0", now=NOW)
    await wait_for(lambda: versions(app) == [("acme", "1.1.0")])

    publisher.publish("1.2.0", now=NOW)
    (publisher.site / "index.json.sig").unlink()
    await wait_for(lambda: app[PACKS].last_error is not None)
    body = await status(client, app)
    assert versions(app) == [("acme", "1.1.0")]
    assert "not signed" in body["pack_error"]
    assert body["sections"]["sync"]["state"] == "error"
    assert "not signed" in body["sections"]["sync"]["last_error"]
    assert body["sections"]["sync"]["packs"] == [{"id": "acme", "version": "1.1.0"}]


async def test_restart_uses_last_good_and_checks_stay_fast_while_server_hangs(
    aiohttp_client: Any,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    tmp_path: Path,
    publisher: Publisher,
    site_url: str,
) -> None:
    await synced_once(aiohttp_client, tmp_path, site_url, publisher, NOW)

    requests = 0
    release = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        nonlocal requests
        requests += 1
        await release.wait()  # released at the end, so the server can shut down at once
        return web.Response(status=503)

    hanging = web.Application()
    hanging.router.add_get("/index.json", hang)
    server = await aiohttp_server(hanging)
    settings = settings_for(tmp_path, str(server.make_url("/index.json")), publisher.public_keys)
    app, client = await start(aiohttp_client, settings)
    assert versions(app) == [("acme", "1.0.0")]  # from disk, before any network
    assert app[PACKS].activation.source == "sync"
    await wait_for(lambda: requests > 0)  # a sync is now stuck on the server

    latencies = []
    try:
        for _ in range(20):
            started = time.perf_counter()
            result = await check(client, app, "we ship project acme 1x0x0 soon")
            latencies.append(time.perf_counter() - started)
            assert [f["rule_id"] for f in result["findings"]] == ["confidential.codename"]
    finally:
        release.set()
    # Blocked by the sync, a check would wait for the release; answered, it takes ms.
    assert max(latencies) < 3.0, latencies
