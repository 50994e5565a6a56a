"""Hostile bodies get a clear 400, never a 500; the body's encoding is checked in every header."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import EVENT_URL, Device, batch_bytes, enrol, post

from agent.collector.app import create_collector_app


def stored_count(db_path: Path) -> int:
    with sqlite3.connect(db_path) as conn:
        (n,) = conn.execute("SELECT COUNT(*) FROM events").fetchone()
    return int(n)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,  # deeper than the parser's recursion
        b'{"time": 1, "host": "d", "event": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"time": 1, "host": "d", "event": {"seq": ' + b"7" * 5000 + b"}}",  # int too long
        b'{"time": 1' + b"0" * 400 + b'.5, "host": "d", "event": {"x": 1}}',  # 1e400: inf
        b'{"time": NaN, "host": "d", "event": {"x": 1}}',
        b'{"time": 1, "host": "d", "event": {"a": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
    ],
    ids=["brackets", "nested-event", "long-int", "overflow-float", "nan", "deep-but-parsable"],
)
async def test_hostile_json_is_bad_data_not_a_server_error(
    collector: TestClient[Any, Any], db_path: Path, body: bytes
) -> None:
    device = Device()
    await enrol(collector, device)
    response = await collector.post(
        EVENT_URL, data=body, headers={"Authorization": device.auth()["Authorization"]}
    )
    assert response.status == 400
    answer = await response.json()
    assert answer["code"] == 6
    assert answer["invalid-event-number"] == 0
    assert stored_count(db_path) == 0


async def raw_post(port: int, head: list[str], body: bytes) -> tuple[int, bytes]:
    """An HTTP/1.1 request written byte for byte: aiohttp's client would merge headers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [
        f"POST {EVENT_URL} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *head,
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


@pytest.mark.parametrize(
    "encodings",
    [
        ["identity", "gzip"],  # the handler would read "identity", the parser inflates gzip
        ["gzip", "gzip"],
        ["gzip, identity"],
        ["deflate"],
    ],
)
async def test_more_than_one_content_encoding_or_another_coding_is_refused(
    collector: TestClient[Any, Any], db_path: Path, encodings: list[str]
) -> None:
    device = Device()
    await enrol(collector, device)
    assert device.token is not None
    body = batch_bytes(device.envelope())
    head = [f"Authorization: Splunk {device.token}"]
    head += [f"Content-Encoding: {value}" for value in encodings]
    status, answer = await raw_post(collector.port or 0, head, body)
    assert status == 415, answer
    assert b"Content-Encoding" in answer or b"content coding" in answer
    assert stored_count(db_path) == 0


async def test_one_gzip_header_still_works_written_raw(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    await enrol(collector, device)
    head = [f"Authorization: Splunk {device.token}", "Content-Encoding: GZIP"]
    status, answer = await raw_post(collector.port or 0, head, batch_bytes(device.envelope()))
    assert status == 200, answer
    assert stored_count(db_path) == 1


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)  # what most servers run with: new files world-readable
    yield
    os.umask(previous)


async def test_the_database_and_its_journal_files_are_owner_only(
    aiohttp_client: Any, tmp_path: Path, umask_022: None
) -> None:
    db_path = tmp_path / "srv" / "events.sqlite3"
    client: TestClient[Any, Any] = await aiohttp_client(create_collector_app(db_path, ["t" * 20]))
    device = Device()
    await enrol(client, device, "t" * 20)
    response = await post(client, device, device.envelope())
    assert response.status == 200
    files = sorted(db_path.parent.iterdir())
    assert {p.name for p in files} >= {"events.sqlite3", "events.sqlite3-wal"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    await client.close()
