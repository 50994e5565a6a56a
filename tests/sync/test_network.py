"""The pack server misbehaves (refused, 503, hanging, endless): sync fails fast, backs off,
and the last good packs stay; a healthy server is asked with If-None-Match."""

from __future__ import annotations

import random
import time
from typing import Any

from aiohttp import web
from sync_support import Publisher, closed_port

from agent.sync.schedule import Schedule
from agent.sync.status import SyncStateName, SyncStatus, read_record
from agent.sync.syncer import Outcome

FAST = {"connect_timeout_s": 1.0, "read_timeout_s": 0.5, "total_timeout_s": 1.5}


async def test_refused_connection_fails_with_plain_words(make_syncer, store, clock) -> None:
    syncer = make_syncer(f"http://127.0.0.1:{closed_port()}/index.json", [_key()], **FAST)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED
    assert "cannot reach the pack server" in result.message
    assert "refused" in result.message
    status = SyncStatus.of(read_record(store.root), clock())
    assert status.state is SyncStateName.ERROR
    assert status.last_error == result.message
    assert status.last_success is None


async def test_503_passes_on_retry_after(bad_server, make_syncer) -> None:
    syncer = make_syncer(bad_server + "503/index.json", [_key()], **FAST)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED
    assert "answered 503" in result.message
    assert result.retry_after_s == 120
    assert Schedule(900, rng=random.Random(1)).after_failure(result.retry_after_s) >= 120


async def test_hanging_server_does_not_hang_sync(bad_server, make_syncer) -> None:
    syncer = make_syncer(bad_server + "hang/index.json", [_key()], **FAST)
    started = time.monotonic()
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED
    assert time.monotonic() - started < 5
    assert "stopped answering" in result.message or "did not finish" in result.message


async def test_endless_index_is_cut_off(bad_server, make_syncer) -> None:
    syncer = make_syncer(bad_server + "endless/index.json", [_key()], **FAST)
    result = await syncer.sync_once()
    assert result.outcome is Outcome.FAILED
    assert "kept streaming past the 1048576-byte limit" in result.message


async def test_server_outage_keeps_last_good_then_recovers(
    aiohttp_server, publisher: Publisher, make_syncer, store
) -> None:
    publisher.publish("1.0.0")
    down = {"on": False}

    @web.middleware
    async def outage(request: web.Request, handler: Any) -> web.StreamResponse:
        if down["on"]:
            return web.Response(status=503)
        return await handler(request)

    app = web.Application(middlewares=[outage])
    app.router.add_static("/", publisher.site)
    server = await aiohttp_server(app)
    syncer = make_syncer(str(server.make_url("/index.json")), publisher.public_keys, **FAST)
    assert (await syncer.sync_once()).outcome is Outcome.ACTIVATED
    down["on"] = True
    publisher.publish("1.1.0")
    for _ in range(3):
        assert (await syncer.sync_once()).outcome is Outcome.FAILED
        active = store.current()
        assert active is not None and active.index.packs[0].version == "1.0.0"
    down["on"] = False
    result = await syncer.sync_once()
    assert result.outcome is Outcome.ACTIVATED
    assert read_record(store.root).last_error is None


async def test_unchanged_index_is_revalidated_with_etag(
    aiohttp_server, publisher: Publisher, make_syncer
) -> None:
    publisher.publish("1.0.0")
    seen: list[tuple[str, int, str | None]] = []

    async def record(request: web.Request, resp: web.StreamResponse) -> None:
        seen.append((request.path, resp.status, request.headers.get("If-None-Match")))
        resp.headers["Cache-Control"] = "public, max-age=600"

    app = web.Application()
    app.on_response_prepare.append(record)
    app.router.add_static("/", publisher.site)
    server = await aiohttp_server(app)
    syncer = make_syncer(str(server.make_url("/index.json")), publisher.public_keys)
    first = await syncer.sync_once()
    assert first.outcome is Outcome.ACTIVATED
    assert first.max_age_s == 600
    seen.clear()
    second = await syncer.sync_once()
    assert second.outcome is Outcome.UP_TO_DATE
    assert len(seen) == 1
    path, status, etag = seen[0]
    assert (path, status) == ("/index.json", 304)
    assert etag
    assert Schedule(60, rng=random.Random(1)).after_success(second.max_age_s) >= 600


def _key() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from agent.publish.keys import public_key_b64

    return public_key_b64(Ed25519PrivateKey.generate())
