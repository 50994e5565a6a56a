"""Enrolment exchanges IT's shared token for this device's own token, bound to its device id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from keyring.backends.fail import Keyring as FailKeyring
from upload_support import (
    TOKEN,
    Collector,
    agent_env,
    enrolled_devices,
    run_postguard,
)

from agent.api.keys import AUDIT
from agent.api.keys import TOKEN as AGENT_TOKEN
from agent.app import create_app
from agent.config import load_settings, os_account
from agent.events.audit import AUDIT_DB, AuditLog
from agent.events.records import EventKind
from agent.security.secrets import SecretStore


def secrets_file(root: Path) -> dict[str, str]:
    """The collector's entries in the 0600 secrets file (the audit log keeps its key there too)."""
    path = root / "config" / "secrets.json"
    data: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    return {name: value for name, value in data.items() if name.startswith("collector-")}


def device_id_of(root: Path) -> str:
    env = agent_env(root)
    settings = load_settings(env=env).settings
    log = AuditLog(
        settings.data_dir / AUDIT_DB,
        user=settings.user,
        secrets=SecretStore(settings.config_dir, backend=FailKeyring()),
    )
    try:
        return log.device_id
    finally:
        log.close()


async def acknowledge_through_the_agent(
    root: Path, aiohttp_client: Any, env: dict[str, str] | None = None
) -> str:
    """Start the real agent on ``root``'s settings; record an acknowledgement; its event id."""
    settings = load_settings(env=env or agent_env(root)).settings
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    app = create_app(settings, plugins=("agent.events.upload_plugin",), secrets=store)
    client = await aiohttp_client(app)
    auth = {"Authorization": f"Bearer {app[AGENT_TOKEN]}"}
    policy = await (await client.post("/v1/policy", json={}, headers=auth)).json()
    response = await client.post(
        "/v1/acknowledge", json={"policy_version": policy["policy_version"]}, headers=auth
    )
    assert response.status == 200, await response.text()
    record = app[AUDIT].latest(EventKind.ACKNOWLEDGE)
    assert record is not None
    return record.event_id


async def arrives(collector: Collector, event_id: str, timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if event_id in collector.stored_ids():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{event_id} never reached the collector")


@pytest.mark.slow
async def test_enroll_exchanges_the_shared_token_and_keeps_only_the_device_token(
    tmp_path: Path, collector: Collector, aiohttp_client: Any
) -> None:
    ran = await run_postguard(agent_env(tmp_path), "enroll", collector.url, "--token", TOKEN)
    assert ran.code == 0, ran.err
    device_id = device_id_of(tmp_path)
    assert f"enrolled device {device_id} for {os_account()}" in ran.out
    assert enrolled_devices(collector.db_path) == {device_id: os_account()}
    kept = secrets_file(tmp_path)
    assert "collector-token" not in kept and TOKEN not in json.dumps(kept)
    credential = json.loads(kept["collector-device-token"])
    assert credential["device_id"] == device_id and credential["collector_url"] == collector.url
    assert credential["token"].startswith("pgd_")
    assert collector.url in (tmp_path / "config" / "config.toml").read_text()

    event_id = await acknowledge_through_the_agent(tmp_path, aiohttp_client)
    await arrives(collector, event_id)
    assert collector.flags() == []


@pytest.mark.slow
async def test_enrolling_the_same_machine_again_rotates_its_token(
    tmp_path: Path, collector: Collector
) -> None:
    env = agent_env(tmp_path)
    first = await run_postguard(env, "enroll", collector.url, "--token", TOKEN)
    assert first.code == 0, first.err
    before = json.loads(secrets_file(tmp_path)["collector-device-token"])["token"]
    again = await run_postguard(env, "enroll", collector.url, "--token", TOKEN)
    assert again.code == 0, again.err
    after = json.loads(secrets_file(tmp_path)["collector-device-token"])["token"]
    assert after != before
    assert len(enrolled_devices(collector.db_path)) == 1


@pytest.mark.slow
async def test_enroll_with_a_wrong_token_says_so_and_saves_nothing(
    tmp_path: Path, collector: Collector
) -> None:
    ran = await run_postguard(agent_env(tmp_path), "enroll", collector.url, "--token", "nope-0")
    assert ran.code == 2
    assert "refused to enrol" in ran.err and "403" in ran.err
    assert "Traceback" not in ran.err
    assert not (tmp_path / "config" / "config.toml").exists()
    assert secrets_file(tmp_path) == {}
    assert enrolled_devices(collector.db_path) == {}


@pytest.mark.slow
async def test_a_splunk_hec_without_device_tokens_gets_the_token_as_is(
    tmp_path: Path, aiohttp_server: Any
) -> None:
    seen: list[str] = []

    async def hec(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.json_response({"text": "Success", "code": 0})

    app = web.Application()
    app.router.add_post("/services/collector/event", hec)  # Splunk: nothing else, so 404
    server = await aiohttp_server(app)
    url = str(server.make_url("/")).rstrip("/")
    ran = await run_postguard(agent_env(tmp_path), "enroll", url, "--token", TOKEN)
    assert ran.code == 0, ran.err
    assert "issues no device tokens" in ran.out
    assert secrets_file(tmp_path) == {"collector-token": TOKEN}


@pytest.mark.slow
async def test_an_unreachable_collector_leaves_enrolment_to_the_agent(
    tmp_path: Path, collector: Collector, aiohttp_client: Any
) -> None:
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    ran = await run_postguard(agent_env(tmp_path), "enroll", closed, "--token", TOKEN)
    assert ran.code == 0, ran.err
    assert "could not enrol now" in ran.out
    assert secrets_file(tmp_path) == {"collector-token": TOKEN}
    # IT's URL was wrong; the managed file points the fleet at the real collector.
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "config.toml").write_text(
        f'[upload]\ncollector_url = "{collector.url}"\ninterval_s = 0.1\n'
    )
    event_id = await acknowledge_through_the_agent(tmp_path, aiohttp_client)
    await arrives(collector, event_id)
    assert "collector-token" not in secrets_file(tmp_path)  # exchanged, then deleted


async def test_a_fleet_enrols_from_the_managed_file_as_the_managed_user(
    tmp_path: Path, collector: Collector, aiohttp_client: Any
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "config.toml").write_text(
        'user = "alex@example.com"\n'
        f'[upload]\ncollector_url = "{collector.url}"\ncollector_token = "{TOKEN}"\n'
        "interval_s = 0.1\n"
    )
    env = agent_env(tmp_path)
    env["POSTGUARD_USER"] = "ceo@example.com"  # the employee's own environment
    event_id = await acknowledge_through_the_agent(tmp_path, aiohttp_client, env)
    await arrives(collector, event_id)
    device_id = device_id_of(tmp_path)
    assert enrolled_devices(collector.db_path) == {device_id: "alex@example.com"}
    kept = secrets_file(tmp_path)
    assert json.loads(kept["collector-device-token"])["device_id"] == device_id
    assert "collector-token" not in kept
    assert collector.flags() == []
