"""The uploader empties the real audit log into the real collector: every event exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from upload_support import TOKEN, Collector, record_overrides

from agent.events.audit import AuditLog
from agent.events.upload import Attempt, Uploader, UploaderConfig
from agent.events.upload_backoff import Backoff


def make_uploader(log: AuditLog, collector: Collector, **overrides: Any) -> Uploader:
    settings: dict[str, Any] = {
        "collector_url": collector.url,
        "token": overrides.pop("token", None) or collector.device_token(log),
        # Generous: a slow commit on a busy machine must not turn into a resend.  The
        # hanging collector gets a short one of its own.
        "timeout_s": 5.0,
        "batch_max_events": 10,
    }
    settings.update(overrides)
    return Uploader(log, UploaderConfig(**settings), Backoff(base_s=0.01, cap_s=0.02))


async def deliver(uploader: Uploader, max_attempts: int = 30) -> list[Attempt]:
    """Attempt until the outbox is empty; the list of outcomes shows what happened."""
    outcomes: list[Attempt] = []
    # The session the agent's uploader makes for itself, with its timeout.
    timeout = aiohttp.ClientTimeout(total=uploader.config.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for _ in range(max_attempts):
            outcome, delay = await uploader.attempt(session)
            outcomes.append(outcome)
            if outcome is Attempt.IDLE:
                return outcomes
            await asyncio.sleep(min(delay, 0.05))
    raise AssertionError(f"outbox not empty after {max_attempts} attempts: {outcomes}")


async def test_events_are_delivered_in_batches_and_marked_uploaded(
    audit: AuditLog, collector: Collector
) -> None:
    ids = record_overrides(audit, 25)
    outcomes = await deliver(make_uploader(audit, collector))
    assert outcomes == [Attempt.SENT] * 3 + [Attempt.IDLE]
    assert [events for _, events in collector.faults.seen] == [10, 10, 5]
    assert sorted(collector.stored_ids()) == sorted(ids)
    assert audit.pending_count() == 0
    assert collector.flags() == []  # a real agent's chain passes every check


async def test_a_record_deleted_from_the_agent_before_upload_shows_as_a_gap(
    audit: AuditLog, audit_path: Path, collector: Collector
) -> None:
    ids = record_overrides(audit, 4)
    with contextlib.closing(sqlite3.connect(audit_path)) as db, db:
        db.execute("DELETE FROM events WHERE seq = 2")
    await deliver(make_uploader(audit, collector))
    assert sorted(collector.stored_ids()) == sorted(ids[:1] + ids[2:])
    flags = collector.flags()
    assert [(f.kind.value, f.seq, f.last_seq) for f in flags] == [("gap", 2, 2)]
    assert flags[0].device_id == audit.device_id


async def test_the_wire_is_hec_gzip_with_a_splunk_token(
    audit: AuditLog, collector: Collector, aiohttp_raw_server: Any
) -> None:
    captured: list[tuple[dict[str, str], bytes]] = []

    async def capture(request: aiohttp.web.BaseRequest) -> aiohttp.web.Response:
        # A raw server sees the bytes as sent, before any decompression.
        captured.append((dict(request.headers), await request.content.read()))
        return aiohttp.web.json_response({"text": "Success", "code": 0})

    server = await aiohttp_raw_server(capture, auto_decompress=False)
    ids = record_overrides(audit, 2)
    uploader = Uploader(audit, UploaderConfig(collector_url=str(server.make_url("/")), token=TOKEN))
    await deliver(uploader)
    ((headers, body),) = captured
    assert headers["Authorization"] == f"Splunk {TOKEN}"
    assert headers["Content-Encoding"] == "gzip"
    lines = gzip.decompress(body).decode().splitlines()
    envelopes = [json.loads(line) for line in lines]
    assert [e["event"]["event_id"] for e in envelopes] == ids
    first = envelopes[0]
    assert first["source"] == "postguard" and first["sourcetype"] == "postguard:event"
    assert first["host"] == audit.device_id
    assert abs(first["time"] - __import__("time").time()) < 60
    assert set(first["event"]) == {
        "event_id",
        "seq",
        "time",
        "user",
        "device_id",
        "kind",
        "payload",
        "prev_hash",
        "hash",
    }


@pytest.mark.parametrize(
    "plan",
    [
        ["500", "500", "500"],  # failing, then recovering
        ["hang"],  # times out, nothing stored
        ["lost"],  # stored, but the answer never arrives: the batch is sent twice
        ["ok", "lost", "500", "lost"],  # a mixture across several batches
    ],
)
async def test_collector_faults_deliver_every_event_exactly_once(
    audit: AuditLog, collector: Collector, plan: list[str]
) -> None:
    collector.faults.plan = list(plan)
    ids = record_overrides(audit, 23)
    timeout_s = 0.5 if {"hang", "lost"} & set(plan) else 5.0  # those wait for the timeout
    outcomes = await deliver(make_uploader(audit, collector, timeout_s=timeout_s))
    assert Attempt.FAILED in outcomes
    stored = collector.stored_ids()
    assert sorted(stored) == sorted(ids)
    assert len(stored) == len(set(stored))
    assert audit.pending_count() == 0
    if "lost" in plan:
        resent = [n for action, n in collector.faults.seen if action == "ok"]
        assert sum(resent) > len(ids) - 10, "a lost answer must lead to a resend"


async def test_retry_after_is_honoured(audit: AuditLog, collector: Collector) -> None:
    collector.faults.plan = ["503"]
    record_overrides(audit, 1)
    uploader = make_uploader(audit, collector)
    async with aiohttp.ClientSession() as session:
        outcome, delay = await uploader.attempt(session)
    assert outcome is Attempt.FAILED
    assert delay >= 1.0
    status = uploader.status()
    assert status.last_error is not None and "503" in status.last_error
    assert status.pending == 1


async def test_a_batch_too_large_is_split_not_dropped(
    audit: AuditLog, collector: Collector
) -> None:
    collector.faults.plan = ["413", "413"]
    ids = record_overrides(audit, 8)
    outcomes = await deliver(make_uploader(audit, collector))
    assert Attempt.RETRY_NOW in outcomes
    assert sorted(collector.stored_ids()) == sorted(ids)


async def test_a_refused_batch_stays_pending_and_status_says_why(
    audit: AuditLog, collector: Collector
) -> None:
    record_overrides(audit, 3)
    uploader = make_uploader(audit, collector, token="not-enrolled")
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            outcome, _ = await uploader.attempt(session)
            assert outcome is Attempt.FAILED
    status = uploader.status()
    assert status.pending == 3 and collector.stored_ids() == []
    assert status.last_error == "the collector answered HTTP 403 code 4 'Invalid token'"
    assert status.next_attempt_in_s is not None
    assert status.oldest_pending is not None


async def test_byte_cap_splits_batches_and_a_single_huge_event_still_goes(
    audit: AuditLog, collector: Collector
) -> None:
    ids = record_overrides(audit, 6)
    outcomes = await deliver(make_uploader(audit, collector, batch_max_bytes=1024))
    assert outcomes.count(Attempt.SENT) == 6  # each record is ~900 bytes
    assert sorted(collector.stored_ids()) == sorted(ids)


async def test_backlog_beyond_the_limit_shows_in_status(
    audit: AuditLog, collector: Collector
) -> None:
    record_overrides(audit, 6)
    uploader = make_uploader(audit, collector, backlog_limit=5)
    status = uploader.status()
    assert (status.pending, status.backlog, status.enrolled) == (6, True, True)
    await deliver(uploader)
    status = uploader.status()
    assert (status.pending, status.backlog, status.uploaded_since_start) == (0, False, 6)
    assert status.last_success is not None and status.last_error is None


async def test_a_restarted_agent_sends_what_the_previous_one_could_not(
    audit_path: Any, collector: Collector
) -> None:
    first = AuditLog(audit_path, user="alex@example.com")
    ids = record_overrides(first, 4)
    collector.faults.plan = ["500"] * 5
    async with aiohttp.ClientSession() as session:
        assert (await make_uploader(first, collector).attempt(session))[0] is Attempt.FAILED
    first.close()
    second = AuditLog(audit_path, user="alex@example.com")
    try:
        await deliver(make_uploader(second, collector))
        assert sorted(collector.stored_ids()) == sorted(ids)
    finally:
        second.close()


async def test_the_background_task_sends_soon_after_a_wake(
    audit: AuditLog, collector: Collector
) -> None:
    uploader = make_uploader(audit, collector, interval_s=3600)
    task = asyncio.create_task(uploader.run())
    try:
        await asyncio.sleep(0.05)
        ids = record_overrides(audit, 3)
        uploader.wake()
        for _ in range(100):
            if len(collector.stored_ids()) == 3:
                break
            await asyncio.sleep(0.02)
        assert sorted(collector.stored_ids()) == sorted(ids)
    finally:
        task.cancel()
        with __import__("contextlib").suppress(asyncio.CancelledError):
            await task
