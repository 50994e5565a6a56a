"""SECURITY.md threats 11 and 12, and a full disk: the audit log keeps what it acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import sqlite3
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import (
    GOOD_JUSTIFICATION,
    audit_count,
    build_app,
    make_settings,
    override_body,
    post,
    run_cli,
    serve_app,
)
from aiohttp import web

from agent.api.keys import AUDIT, TOKEN
from agent.collector.app import create_collector_app
from agent.config import UploadSettings
from agent.events.audit import AuditLog
from agent.events.records import AcknowledgePayload, EventKind

CANARY = "zq-canary-7f3a91-nightingale"
UPLOADING = ("agent.events.upload_plugin",)


def _fill(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version=f"v{i}"))


# -- threat 12: tampering ------------------------------------------------------------------


def test_an_intact_chain_verifies(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    _fill(log, 5)
    report = log.verify()
    assert report.ok and report.records == 5
    records = list(log)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))


def test_an_edited_middle_record_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path)
    _fill(log, 5)
    with sqlite3.connect(path) as db:
        db.execute("""UPDATE events SET payload = '{"policy_version":"forged"}' WHERE seq = 3""")
    problems = log.verify().problems
    assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]


def test_a_deleted_middle_record_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path)
    _fill(log, 5)
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM events WHERE seq = 3")
    problems = log.verify().problems
    assert [(p.seq, p.kind) for p in problems] == [(3, "missing")]


def test_a_rehashed_record_breaks_the_link_to_the_next(tmp_path: Path) -> None:
    """Editing a record and fixing its own hash still breaks the next record's prev_hash."""
    path = tmp_path / "audit.sqlite3"
    log = AuditLog(path)
    _fill(log, 4)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE events SET hash = ? WHERE seq = 2", ("f" * 64,))
    kinds = {(p.seq, p.kind) for p in log.verify().problems}
    assert (2, "edited") in kinds and (3, "relinked") in kinds


async def test_a_restarted_agent_never_reuses_the_number_of_a_deleted_record(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path)
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)
    for _ in range(3):
        assert (await post(client, "/v1/overrides", override_body(), app[TOKEN])).status == 200
    newest = list(app[AUDIT])[-1]
    await client.close()
    with contextlib.closing(sqlite3.connect(settings.data_dir / "audit.sqlite3")) as db, db:
        db.execute("DELETE FROM events WHERE seq = 3")
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)
    response = await post(client, "/v1/overrides", override_body(), app[TOKEN])
    assert response.status == 200, await response.text()
    record = app[AUDIT].latest(EventKind.OVERRIDE)
    assert record is not None
    assert record.event_id == (await response.json())["override_id"]
    assert (record.seq, record.prev_hash) == (4, newest.hash)
    assert [(p.seq, p.kind) for p in app[AUDIT].verify().problems] == [(3, "missing")]


@pytest.mark.slow
async def test_the_agent_keys_its_chain_with_its_own_secret_store(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """`postguard audit verify` finds the chain secret where the agent keeps its secrets."""
    settings = make_settings(tmp_path)
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)
    assert (await post(client, "/v1/overrides", override_body(), app[TOKEN])).status == 200
    await client.close()
    assert not (settings.data_dir / "secrets.json").exists()  # not beside the database
    env = {
        **os.environ,
        "POSTGUARD_DATA_DIR": str(settings.data_dir),
        "POSTGUARD_CONFIG_DIR": str(settings.config_dir),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = run_cli(env, "audit", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 records, chain intact, keyed with this device's chain secret" in done.stdout


@pytest.mark.slow
def test_audit_verify_cli_exits_1_on_tamper(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "POSTGUARD_DATA_DIR": str(tmp_path),
        "POSTGUARD_CONFIG_DIR": str(tmp_path),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
    }
    log = AuditLog(tmp_path / "audit.sqlite3")
    _fill(log, 3)
    ok = run_cli(env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "3 records" in ok.stdout
    with sqlite3.connect(tmp_path / "audit.sqlite3") as db:
        db.execute("UPDATE events SET user = 'mallory' WHERE seq = 2")
    bad = run_cli(env, "audit", "verify")
    assert bad.returncode == 1
    assert "record 2: edited" in bad.stderr
    shown = run_cli(env, "audit", "show", "--json")
    assert shown.returncode == 0 and shown.stdout.count("\n") == 3


def test_outbox_pending_and_mark_uploaded(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.sqlite3")
    _fill(log, 5)
    first = log.pending(3)
    assert [r.seq for r in first] == [1, 2, 3]
    log.mark_uploaded([r.event_id for r in first])
    log.mark_uploaded([first[0].event_id])  # idempotent
    assert [r.seq for r in log.pending(10)] == [4, 5]
    assert log.pending_count() == 2
    assert log.verify().ok  # upload state is outside the chain


# -- a full disk ---------------------------------------------------------------------------


async def _overrides_until_refused(client: Any, token: str, limit: int) -> tuple[int, int]:
    accepted = 0
    for _ in range(limit):
        response = await post(client, "/v1/overrides", override_body(), token)
        if response.status != 200:
            body = await response.json()
            assert response.status == 503, body
            assert body["error"]["code"] == "not_recorded"
            return accepted, response.status
        accepted += 1
    return accepted, 200


async def test_size_cap_reached_gives_503_nothing_half_written_then_recovers(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """SQLITE_FULL without root: the size cap stands in for a full disk."""
    app = build_app(make_settings(tmp_path, audit_max_mb=1))
    client = await serve_app(aiohttp_client, app)
    big = override_body(justification=GOOD_JUSTIFICATION + " " + "words " * 150)
    accepted = 0
    for _ in range(5000):
        response = await post(client, "/v1/overrides", big, app[TOKEN])
        if response.status != 200:
            body = await response.json()
            assert (response.status, body["error"]["code"]) == (503, "not_recorded")
            break
        accepted += 1
    else:
        pytest.fail("the size cap never refused a write")
    assert accepted > 0
    assert audit_count(app) == accepted  # every acknowledged override, and nothing more
    assert app[AUDIT].verify().ok
    await client.close()  # the agent stops; room is made (here: a larger cap) and it restarts
    app = build_app(make_settings(tmp_path, audit_max_mb=2))
    client = await serve_app(aiohttp_client, app)
    response = await post(client, "/v1/overrides", big, app[TOKEN])
    assert response.status == 200, await response.text()
    override_id = (await response.json())["override_id"]
    log: AuditLog = app[AUDIT]
    records = list(log)
    assert len(records) == accepted + 1
    assert records[-1].event_id == override_id and records[-1].seq == accepted + 1
    assert log.verify().ok


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the size-cap test covers SQLITE_FULL")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_disk_full_gives_503_then_recovers(
    aiohttp_client: Any, tmp_path: Path, tiny_fs: Path
) -> None:
    app = build_app(make_settings(tmp_path, data_dir=tiny_fs / "data"))
    client = await serve_app(aiohttp_client, app)
    token = app[TOKEN]
    assert (await post(client, "/v1/overrides", override_body(), token)).status == 200
    filler = tiny_fs / "filler"
    with filler.open("wb") as handle:  # take every free byte
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    big = override_body(justification=GOOD_JUSTIFICATION + " " + "words " * 150)
    accepted, status = await _overrides_until_refused(client, token, 2000)
    assert status == 503
    for _ in range(accepted + 50):  # keep going: still no false success
        if (await post(client, "/v1/overrides", big, token)).status == 200:
            accepted += 1
    recorded = audit_count(app)
    assert recorded == 1 + accepted
    filler.unlink()  # space returns
    response = await post(client, "/v1/overrides", override_body(), token)
    assert response.status == 200
    assert audit_count(app) == recorded + 1
    assert app[AUDIT].verify().ok


# -- threat 11: the draft never reaches disk, logs or IT ---------------------------------------


BODIES = web.AppKey("bodies", list[bytes])
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COLLECTOR_TOKEN = "audit-test-collector-token-0123456789"


@web.middleware
async def _keep_bodies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """In front of the real collector: every event batch as received, after gzip is undone."""
    if request.path == "/services/collector/event":  # not the enrolment exchange before it
        request.app[BODIES].append(await request.read())
    return await handler(request)


def _stored_at_collector(db_path: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return {row[0] for row in db.execute("SELECT event_id FROM events")}


async def test_canary_draft_reaches_no_file_and_no_log(
    aiohttp_client: Any,
    aiohttp_server: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """From the check to the collector: no file, log line or uploaded body holds the draft."""
    caplog.set_level(logging.DEBUG)
    collector_db = tmp_path / "collector" / "events.sqlite3"
    collector_app = create_collector_app(
        collector_db, [COLLECTOR_TOKEN], middlewares=[_keep_bodies]
    )
    collector_app[BODIES] = []
    collector = await aiohttp_server(collector_app)
    upload = UploadSettings(
        collector_url=str(collector.make_url("/")).rstrip("/"),
        collector_token=COLLECTOR_TOKEN,
        interval_s=0.2,
    )
    app = build_app(make_settings(tmp_path, upload=upload), plugins=UPLOADING)
    client = await serve_app(aiohttp_client, app)
    token = app[TOKEN]
    draft = f"Project Nightingale {CANARY} launches Monday"
    check = await post(
        client,
        "/v1/check",
        {"text": draft, "platform": "linkedin", "url": f"https://www.linkedin.com/{CANARY}"},
        token,
    )
    assert check.status == 200
    finding = (await check.json())["findings"][0]
    sent = {k: finding[k] for k in ("rule_id", "pack", "start", "end", "matched")}
    sent["matched"] = f"Project Nightingale {CANARY}"  # as if the span had covered it
    override = await post(client, "/v1/overrides", override_body(findings=[sent]), token)
    assert override.status == 200
    bad = await post(client, "/v1/check", {"text": draft, "platform": "nope"}, token)
    assert bad.status == 422
    feedback = await post(
        client, "/v1/feedback", {"rule_id": "confidential.codename", "kind": "unclear"}, token
    )
    assert feedback.status == 200
    uploaded = {(await override.json())["override_id"], (await feedback.json())["feedback_id"]}
    deadline = time.monotonic() + 30
    while _stored_at_collector(collector_db) != uploaded:
        assert time.monotonic() < deadline, "the events never reached the collector"
        await asyncio.sleep(0.05)
    await client.close()  # flush and close the agent's database
    await collector.close()
    bodies = collector_app[BODIES]
    assert bodies and all(b'"event_id"' in body for body in bodies)
    assert all(CANARY.encode() not in body for body in bodies)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("audit.sqlite3") for p in files)
    assert any(p.name.startswith("events.sqlite3") for p in files)
    for path in files:  # the agent's data and config dirs, and the collector's database
        assert CANARY.encode() not in path.read_bytes(), path
    assert caplog.records
    assert CANARY not in caplog.text
    out, err = capfd.readouterr()
    assert CANARY not in out + err
