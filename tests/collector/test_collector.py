"""The reference collector answers like Splunk's HEC and stores each event once."""

from __future__ import annotations

import contextlib
import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import EVENT_URL, TOKEN, Device, batch_bytes, enrol, post

from agent.cli import build_parser
from agent.collector.app import create_collector_app
from agent.collector.store import CollectorStore


def stored_ids(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY seq")]


async def test_a_batch_is_stored_and_answered_like_hec(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    await enrol(collector, device)
    events = [device.envelope() for _ in range(3)]
    response = await post(collector, device, *events)
    assert response.status == 200
    assert await response.json() == {"text": "Success", "code": 0}
    assert stored_ids(db_path) == [e["event"]["event_id"] for e in events]
    assert "Server" not in response.headers


async def test_the_same_batch_twice_stores_each_event_once(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    await enrol(collector, device)
    a, b, c = (device.envelope() for _ in range(3))
    for _ in range(2):
        response = await post(collector, device, a, b)
        assert (await response.json())["code"] == 0
    await post(collector, device, b, c)
    assert stored_ids(db_path) == [e["event"]["event_id"] for e in (a, b, c)]
    store = CollectorStore(db_path)
    try:
        assert store.flags() == []
    finally:
        store.close()


async def test_uncompressed_bodies_and_hec_aliases_are_accepted(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    await enrol(collector, device)
    headers = {"Authorization": device.auth()["Authorization"]}
    sent = []
    for path in (EVENT_URL, EVENT_URL + "/1.0", "/services/collector"):
        envelope = device.envelope()
        sent.append(envelope["event"]["event_id"])
        body = batch_bytes(envelope, compress=False)
        response = await collector.post(path, data=body, headers=headers)
        assert response.status == 200, path
    assert stored_ids(db_path) == sent


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, 2),
        ({"Authorization": "Bearer collector-test-token-0123456789"}, 401, 3),
        ({"Authorization": "Splunk wrong-token"}, 403, 4),
        ({"Authorization": "Splunk "}, 401, 3),
    ],
)
async def test_unenrolled_senders_are_refused_and_nothing_is_stored(
    collector: TestClient[Any, Any], db_path: Path, headers: dict[str, str], status: int, code: int
) -> None:
    response = await collector.post(
        EVENT_URL, data=batch_bytes(Device().envelope(), compress=False), headers=headers
    )
    assert response.status == status
    assert (await response.json())["code"] == code
    assert stored_ids(db_path) == []


@pytest.mark.parametrize(
    ("body", "code", "invalid_event"),
    [
        (b"", 5, None),
        (b'{"time": 1, "host": "d", "event": {"event_id": "x"}} {not json', 6, 1),
        (b'{"time": 1, "host": "d"}', 12, 0),
        (b'{"time": 1, "host": "d", "event": {}}', 13, 0),
        (b'{"time": 1, "host": "d", "event": {"kind": "override"}}', 6, 0),
        (b"[1, 2]", 6, 0),
        (b'{"time": "yesterday", "host": "d", "event": {"event_id": "x"}}', 6, 0),
        (b"\xff\xfe", 6, 0),
    ],
)
async def test_malformed_batches_get_hec_errors_and_store_nothing(
    collector: TestClient[Any, Any],
    db_path: Path,
    body: bytes,
    code: int,
    invalid_event: int | None,
) -> None:
    device = Device()
    await enrol(collector, device)
    response = await collector.post(
        EVENT_URL, data=body, headers={"Authorization": device.auth()["Authorization"]}
    )
    assert response.status == 400
    answer = await response.json()
    assert answer["code"] == code
    assert answer.get("invalid-event-number") == invalid_event
    assert stored_ids(db_path) == []


async def test_a_gzip_bomb_is_refused(collector: TestClient[Any, Any], db_path: Path) -> None:
    device = Device()
    await enrol(collector, device)
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))
    assert len(bomb) < 200_000
    response = await collector.post(EVENT_URL, data=bomb, headers=device.auth())
    assert response.status == 413
    assert stored_ids(db_path) == []


async def test_a_token_added_while_serving_is_accepted(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    store = CollectorStore(db_path)
    try:
        token = store.add_token("sales-laptops")
    finally:
        store.close()
    device = Device()
    assert (await enrol(collector, device, token)).status == 200
    response = await post(collector, device, device.envelope())
    assert (await response.json())["code"] == 0
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT token_name FROM events").fetchone() == ("sales-laptops",)
        (digest,) = conn.execute("SELECT token_sha256 FROM tokens").fetchone()
    assert token not in digest


async def test_health_answers_like_hec(collector: TestClient[Any, Any]) -> None:
    response = await collector.get("/services/collector/health")
    assert response.status == 200
    assert await response.json() == {"text": "HEC is healthy", "code": 17}


def test_added_tokens_survive_the_printed_enrol_command(db_path: Path) -> None:
    # The collector prints `postguard enroll URL --token T` for IT to paste; argparse would
    # take a token that starts with "-" for an option, so no added token may.
    store = CollectorStore(db_path)
    try:
        tokens = [store.add_token("sales-laptops") for _ in range(300)]
    finally:
        store.close()
    parser = build_parser(("enroll",))
    for token in tokens:
        args = parser.parse_args(["enroll", "http://127.0.0.1:8088", "--token", token])
        assert args.token == token


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
    event_id TEXT PRIMARY KEY, time REAL NOT NULL, host TEXT NOT NULL,
    sourcetype TEXT NOT NULL, kind TEXT, user TEXT, received_at REAL NOT NULL,
    token_name TEXT NOT NULL, envelope TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (time);
CREATE TABLE tokens (token_sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, created_at REAL NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
"""


async def test_a_database_from_the_previous_version_is_upgraded_in_place(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    db_path = tmp_path / "old.sqlite3"
    device = Device()
    before = device.envelope()
    with contextlib.closing(sqlite3.connect(db_path)) as conn, conn:
        conn.executescript(V1_SCHEMA)
        conn.execute(  # stored by the earlier version: the sender's key order, no chain columns
            "INSERT INTO events VALUES (?, ?, ?, 'postguard:event', 'override', ?, 0, 'old', ?)",
            (before["event"]["event_id"], before["time"], device.device_id, device.user,
             json.dumps(before)),
        )  # fmt: skip
    client: TestClient[Any, Any] = await aiohttp_client(create_collector_app(db_path, [TOKEN]))
    await enrol(client, device)
    # The agent resends the event whose answer it lost, then goes on with its chain.
    after = device.envelope()
    assert (await post(client, device, before, after)).status == 200
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT event_id, seq FROM events ORDER BY time").fetchall()
        (version,) = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert rows == [(before["event"]["event_id"], 1), (after["event"]["event_id"], 2)]
    assert version == "2"
    store = CollectorStore(db_path)
    try:
        assert store.flags() == []  # the old event joined its device's chain: no gap, no conflict
    finally:
        store.close()
