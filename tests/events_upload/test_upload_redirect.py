"""A collector that answers with a redirect gets nothing: the events stay in the outbox."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp import web
from upload_support import TOKEN, Collector, record_overrides

from agent.events.audit import AuditLog
from agent.events.upload import Attempt, Uploader, UploaderConfig
from agent.events.upload_backoff import Backoff
from agent.events.upload_device import EnrolmentUnavailable, request_device_token
from agent.events.upload_wire import HEC_PATH


async def redirector(aiohttp_server: Any, target: str, status: int) -> tuple[str, list[str]]:
    """A real server on loopback that sends every POST on to ``target``."""
    seen: list[str] = []

    async def elsewhere(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(status=status, headers={"Location": target + request.path})

    app = web.Application()
    app.router.add_post("/{tail:.*}", elsewhere)
    server = await aiohttp_server(app)
    return str(server.make_url("/")).rstrip("/"), seen


async def sink(aiohttp_server: Any) -> tuple[str, list[bytes]]:
    """Another host: takes anything, answers HEC's "Success", and keeps it from IT."""
    kept: list[bytes] = []

    async def swallow(request: web.Request) -> web.Response:
        kept.append(await request.read())
        return web.json_response({"text": "Success", "code": 0})

    app = web.Application()
    app.router.add_post("/{tail:.*}", swallow)
    server = await aiohttp_server(app)
    return str(server.make_url("/")).rstrip("/"), kept


@pytest.mark.parametrize("status", [307, 308, 302])
async def test_a_redirect_is_not_followed_and_the_events_stay_queued(
    audit: AuditLog, collector: Collector, aiohttp_server: Any, status: int
) -> None:
    elsewhere, kept = await sink(aiohttp_server)
    url, seen = await redirector(aiohttp_server, elsewhere, status)
    config = UploaderConfig(collector_url=url, token=collector.device_token(audit))
    uploader = Uploader(audit, config, Backoff(base_s=0.01, cap_s=0.02))
    record_overrides(audit, 3)
    async with aiohttp.ClientSession() as session:
        outcome, _ = await uploader.attempt(session)
    assert outcome is Attempt.FAILED
    assert seen == [HEC_PATH]
    assert kept == []  # nothing reached the other host
    assert audit.pending_count() == 3  # nothing marked uploaded
    status_now = uploader.status()
    assert status_now.last_error is not None
    assert f"HTTP {status}" in status_now.last_error and "redirect" in status_now.last_error
    # Once the URL points at the collector itself, the same events go there.
    direct = Uploader(audit, config.model_copy(update={"collector_url": collector.url}))
    async with aiohttp.ClientSession() as session:
        assert (await direct.attempt(session))[0] is Attempt.SENT
    assert len(collector.stored_ids()) == 3


async def test_enrolment_does_not_follow_a_redirect_either(
    audit: AuditLog, collector: Collector, aiohttp_server: Any
) -> None:
    elsewhere, kept = await sink(aiohttp_server)
    url, seen = await redirector(aiohttp_server, elsewhere, 307)
    async with aiohttp.ClientSession() as session:
        with pytest.raises(EnrolmentUnavailable, match="redirect"):
            await request_device_token(
                session, url, TOKEN, device_id=audit.device_id, user=audit.user
            )
    assert seen == ["/services/collector/postguard/enrol"]
    assert kept == []
