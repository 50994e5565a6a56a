"""The reference collector answers like Splunk's HEC and stores each event once."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import auth, batch_bytes, envelope

from agent.cli import build_parser
from agent.collector.store import CollectorStore

EVENT_URL = "/services/collector/event"


def stored_ids(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [row[0] for row in conn.execute("SELECT event_id FROM events ORDER BY event_id")]


async def test_a_batch_is_stored_and_answered_like_hec(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    events = [envelope(f"id-{i}") for i in range(3)]
    response = await collector.post(EVENT_URL, data=batch_bytes(*events), headers=auth())
    assert response.status == 200
    assert await response.json() == {"text": "Success", "code": 0}
    assert stored_ids(db_path) == ["id-0", "id-1", "id-2"]
    assert "Server" not in response.headers


async def test_the_same_batch_twice_stores_each_event_once(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    body = batch_bytes(envelope("a"), envelope("b"))
    for _ in range(2):
        response = await collector.post(EVENT_URL, data=body, headers=auth())
        assert (await response.json())["code"] == 0
    more = batch_bytes(envelope("b"), envelope("c"))
    await collector.post(EVENT_URL, data=more, headers=auth())
    assert stored_ids(db_path) == ["a", "b", "c"]


async def test_uncompressed_bodies_and_hec_aliases_are_accepted(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    headers = {"Authorization": auth()["Authorization"]}
    for path, event_id in [
        (EVENT_URL, "plain"),
        (EVENT_URL + "/1.0", "v1"),
        ("/services/collector", "bare"),
    ]:
        body = batch_bytes(envelope(event_id), compress=False)
        response = await collector.post(path, data=body, headers=headers)
        assert response.status == 200, path
    assert stored_ids(db_path) == ["bare", "plain", "v1"]


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
        EVENT_URL, data=batch_bytes(envelope(), compress=False), headers=headers
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
    response = await collector.post(
        EVENT_URL, data=body, headers={"Authorization": auth()["Authorization"]}
    )
    assert response.status == 400
    answer = await response.json()
    assert answer["code"] == code
    assert answer.get("invalid-event-number") == invalid_event
    assert stored_ids(db_path) == []


async def test_a_gzip_bomb_is_refused(collector: TestClient[Any, Any], db_path: Path) -> None:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))
    assert len(bomb) < 200_000
    response = await collector.post(EVENT_URL, data=bomb, headers=auth())
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
    response = await collector.post(EVENT_URL, data=batch_bytes(envelope("n")), headers=auth(token))
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
