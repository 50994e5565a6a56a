"""SECURITY.md threat 8: slow clients on the public endpoints cannot starve checks.

Real sockets on loopback against the real app with the production runner options: the
slow clients write a partial body and then one byte at a time, as a slowloris attack does.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

from agent_helpers import post
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.admission import PUBLIC_BODY_MAX_BYTES, PUBLIC_DEADLINE_S
from agent.api.keys import SETTINGS

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _partial_body(port: int, path: str) -> Connection:
    """A request whose headers are complete and whose body has only begun."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        '{"nonce": "'.encode()
    )
    await writer.drain()
    return reader, writer


async def _dribble(connections: list[Connection]) -> None:
    while True:
        for _, writer in connections:
            if not writer.is_closing():
                writer.write(b"a")
        await asyncio.sleep(0.1)


async def test_slow_public_bodies_do_not_hold_back_a_real_check(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    settings = app[SETTINGS]
    slow_clients = settings.max_concurrent_requests + 4  # more than there are slots
    paths = ("/v1/pair", "/v1/challenge")
    connections = [await _partial_body(client.port, paths[i % 2]) for i in range(slow_clients)]
    dribbler = asyncio.create_task(_dribble(connections))
    try:
        await asyncio.sleep(0.5)  # every slow request is in, reading its body
        loop = asyncio.get_running_loop()
        started = loop.time()
        response = await post(
            client, "/v1/check", {"text": "Project Nightingale", "platform": "x"}, token
        )
        elapsed = loop.time() - started
        assert response.status == 200, await response.text()
        assert (await response.json())["verdict"] == "warn"
        # Behind the slow clients it would wait for a slot until they time out
        # (request_timeout_s, 10 s), and the extension gives up after 4 s and fails open.
        # It does not even wait for them to be cut off at the public deadline.
        assert elapsed < PUBLIC_DEADLINE_S, f"the check took {elapsed:.2f}s"
    finally:
        dribbler.cancel()
        for _, writer in connections:
            writer.close()


async def test_a_slow_public_body_is_cut_off_at_the_public_deadline(
    client: TestClient[Any, Any], app: web.Application
) -> None:
    assert app[SETTINGS].request_timeout_s > 2 * PUBLIC_DEADLINE_S
    for path in ("/v1/pair", "/v1/challenge"):
        reader, writer = await _partial_body(client.port, path)
        dribbler = asyncio.create_task(_dribble([(reader, writer)]))
        try:
            # Answered at the public deadline, well before the request timeout.
            reply = await asyncio.wait_for(reader.read(4096), PUBLIC_DEADLINE_S + 2)
        finally:
            dribbler.cancel()
            writer.close()
        assert reply.split(b" ", 2)[1] == b"503", (path, reply[:200])
        assert b'"timeout"' in reply


async def test_public_bodies_are_capped_small(client: TestClient[Any, Any]) -> None:
    big = {"code": "x" * (PUBLIC_BODY_MAX_BYTES + 1)}
    for path in ("/v1/pair", "/v1/challenge"):
        declared = await post(client, path, big)  # a Content-Length over the cap
        assert declared.status == 413, path
        assert (await declared.json())["error"]["code"] == "too_large"

        async def chunks() -> AsyncIterator[bytes]:
            data = io.BytesIO(json.dumps(big).encode())
            while chunk := data.read(256):
                yield chunk

        chunked = await client.post(
            path, data=chunks(), headers={"Content-Type": "application/json"}
        )
        assert chunked.status == 413, path
        assert (await chunked.json())["error"]["code"] == "too_large"
