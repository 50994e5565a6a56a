"""SECURITY.md threats 11 and 12, and a full disk: the audit log keeps what it acknowledged."""

from __future__ import annotations

import itertools
import os
import sqlite3
import subprocess
from collections.abc import Iterator
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

from agent.api.keys import AUDIT, TOKEN
from agent.events.audit import AuditLog
from agent.events.records import AcknowledgePayload, EventKind

CANARY = "zq-canary-7f3a91-nightingale"


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


async def test_size_cap_reached_gives_503_and_nothing_half_written(
    aiohttp_client: Any, tmp_path: Path
) -> None:
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


# -- threat 11: the draft never reaches disk or logs ----------------------------------------


async def test_canary_draft_reaches_no_file_and_no_log(
    aiohttp_client: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path)
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)
    token = app[TOKEN]
    draft = f"Project Nightingale {CANARY} launches Monday"
    check = await post(client, "/v1/check", {"text": draft, "platform": "linkedin"}, token)
    finding = (await check.json())["findings"][0]
    override = override_body(
        findings=[{**{k: finding[k] for k in ("rule_id", "pack", "start", "end", "matched")}}]
    )
    override["findings"][0]["matched"] = f"Project Nightingale {CANARY}"
    assert (await post(client, "/v1/overrides", override, token)).status == 200
    bad = await post(client, "/v1/check", {"text": draft, "platform": "nope"}, token)
    assert bad.status == 422
    await post(
        client, "/v1/feedback", {"rule_id": "confidential.codename", "kind": "unclear"}, token
    )
    await client.close()  # flush and close the database
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.startswith("audit.sqlite3") for p in files)
    for path in files:
        assert CANARY.encode() not in path.read_bytes(), path
    assert caplog.records
    assert CANARY not in caplog.text
