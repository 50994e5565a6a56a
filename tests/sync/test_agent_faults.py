"""The pack server is out of reach (refused, untrusted TLS): the agent keeps enforcing what
it has, the last good set or, on a first run, the bundled baseline, and says why in status."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from agent_support import (
    check,
    settings_for,
    start,
    sync_status_when,
    synced_once,
    versions,
    wait_for,
)
from aiohttp import web
from aiohttp.test_utils import TestServer
from sync_support import Publisher, closed_port
from tls_support import server_context

from agent.api.keys import PACKS
from agent.paths import BUNDLED_PACKS
from agent.sync.service import STORE_DIR

NOW = datetime.now(UTC)


async def test_untrusted_tls_certificate_fails_the_sync_and_keeps_the_last_good_packs(
    aiohttp_client: Any,
    aiohttp_server: Callable[..., Awaitable[TestServer]],
    tmp_path: Path,
    publisher: Publisher,
    site_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await synced_once(aiohttp_client, tmp_path, site_url, publisher, NOW)

    publisher.publish("1.1.0", now=NOW)  # a newer set waits behind the certificate
    site = web.Application()
    site.router.add_static("/", publisher.site)
    https = await aiohttp_server(site, ssl=server_context(tmp_path / "tls"))
    index_url = str(https.make_url("/index.json"))
    assert index_url.startswith("https://127.0.0.1:")
    caplog.set_level(logging.INFO, logger="postguard")
    restarted = datetime.now(UTC)
    app, client = await start(
        aiohttp_client, settings_for(tmp_path, index_url, publisher.public_keys)
    )

    sync = await sync_status_when(client, app, lambda s: _attempted_since(s, restarted))
    assert sync["state"] == "error"
    assert sync["index_url"] == index_url
    reason = sync["last_error"]
    assert "TLS certificate is not trusted" in reason
    assert "\n" not in reason and "Traceback" not in reason
    assert sync["source"] == "synced"
    assert sync["packs"] == [{"id": "acme", "version": "1.0.0"}]
    assert versions(app) == [("acme", "1.0.0")]
    result = await check(client, app, "we ship project acme 1x0x0 soon")
    assert [(f["rule_id"], f["pack"]["version"]) for f in result["findings"]] == [
        ("confidential.codename", "1.0.0")
    ]
    sync_logs = [r for r in caplog.records if r.name == "postguard.sync"]
    assert any("TLS certificate is not trusted" in r.getMessage() for r in sync_logs)
    assert all(r.exc_info is None for r in sync_logs)


async def test_first_run_with_the_server_down_serves_the_bundled_baseline(
    aiohttp_client: Any, tmp_path: Path, publisher: Publisher
) -> None:
    index_url = f"http://127.0.0.1:{closed_port()}/index.json"
    app, client = await start(
        aiohttp_client, settings_for(tmp_path, index_url, publisher.public_keys)
    )

    sync = await sync_status_when(client, app, lambda s: s["state"] == "error")
    assert "cannot reach the pack server" in sync["last_error"]
    assert "refused" in sync["last_error"]
    assert sync["source"] == "bundled"
    assert [p["id"] for p in sync["packs"]] == [p.name for p in BUNDLED_PACKS]
    assert app[PACKS].activation.source == "bundled"

    result = await check(client, app, "On behalf of the company, I apologise to everyone affected")
    assert ("baseline", "company_voice.on-behalf") in [
        (f["pack"]["id"], f["rule_id"]) for f in result["findings"]
    ]


def _attempted_since(sync: dict[str, Any], moment: datetime) -> bool:
    last = sync["last_attempt"]
    return last is not None and datetime.fromisoformat(last) >= moment


async def test_a_pack_store_that_cannot_be_written_fails_the_attempt_and_polling_goes_on(
    aiohttp_client: Any, tmp_path: Path, publisher: Publisher, site_url: str
) -> None:
    publisher.publish("1.0.0", now=NOW)
    settings = settings_for(tmp_path, site_url, publisher.public_keys, backoff_base_s=0.3)
    sets = settings.data_dir / STORE_DIR / "sets"
    sets.parent.mkdir(parents=True)
    sets.write_text("not a directory")  # what a full or broken disk looks like, even to root
    app, client = await start(aiohttp_client, settings)

    sync = await sync_status_when(client, app, lambda s: s["state"] == "error")
    assert "cannot be written" in sync["last_error"]
    assert "\n" not in sync["last_error"]
    assert sync["source"] == "bundled"

    sets.unlink()  # space is back: the agent's own next poll activates the packs
    await wait_for(lambda: versions(app) == [("acme", "1.0.0")], timeout=20.0)
