"""What ``postguard status`` shows: the running agent's view, or the on-disk record.

The token is only sent after the agent proved it holds it (the challenge of
docs/api.md), so a process squatting the port learns nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
from datetime import datetime
from typing import Any

import aiohttp
from pydantic import JsonValue

from agent.config import Settings, load_settings
from agent.errors import UserError
from agent.publish.index import utc_now
from agent.security.challenge import proof, tokens_equal
from agent.security.secrets import TOKEN, SecretStore
from agent.sync.service import STORE_DIR
from agent.sync.status import SyncStatus, read_record

_TIMEOUT_S = 3.0


class NotRunning(Exception):
    pass


def show(args: argparse.Namespace) -> int:
    settings = load_settings().settings
    agent: dict[str, Any] | None
    try:
        agent = asyncio.run(query_agent(settings))
    except NotRunning:
        agent = None
    sync = _sync_section(settings, agent)
    if args.json:
        print(json.dumps({"agent": agent, "sync": sync}, indent=2, default=str))
    else:
        print(_render(settings, agent, sync))
    return exit_code(agent, sync)


# Sync states a monitoring check should raise: the agent keeps its last good packs in both,
# but they are not what IT last published (error) or no longer current (stale).
FAILING_SYNC_STATES = frozenset({"error", "stale"})


def exit_code(agent: dict[str, Any] | None, sync: dict[str, Any]) -> int:
    """0 when the agent answers and sync is ok, pending or off; 1 when it is down or failing."""
    if agent is None or str(sync.get("state")) in FAILING_SYNC_STATES:
        return 1
    return 0


async def query_agent(settings: Settings) -> dict[str, Any]:
    host = "127.0.0.1" if settings.host in ("localhost", "127.0.0.1") else "[::1]"
    base = f"http://{host}:{settings.port}"
    timeout = aiohttp.ClientTimeout(total=_TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            nonce = secrets.token_urlsafe(24)
            # Redirects are never followed: a squatter on the port could otherwise pass the
            # challenge on to the agent elsewhere and then receive the token itself.
            async with session.post(
                f"{base}/v1/challenge", json={"nonce": nonce}, allow_redirects=False
            ) as resp:
                if resp.status != 200:
                    raise NotRunning
                answer = await resp.json()
            token = await asyncio.to_thread(SecretStore(settings.config_dir).get_or_create, TOKEN)
            if not tokens_equal(str(answer.get("proof", "")), proof(token, nonce)):
                raise UserError(
                    f"the process on port {settings.port} is not this user's PostGuard agent"
                    " (it failed the token challenge); not sending it anything"
                )
            headers = {"Authorization": f"Bearer {token}"}
            async with session.post(
                f"{base}/v1/status", json={}, headers=headers, allow_redirects=False
            ) as resp:
                if resp.status != 200:
                    raise UserError(f"the agent answered {resp.status} to a status request")
                data: dict[str, Any] = await resp.json()
                return data
    except (aiohttp.ClientError, TimeoutError, ValueError):
        raise NotRunning from None


def _sync_section(settings: Settings, agent: dict[str, Any] | None) -> dict[str, JsonValue]:
    if agent is not None and isinstance(agent.get("sections", {}).get("sync"), dict):
        section: dict[str, JsonValue] = agent["sections"]["sync"]
        return section
    record = read_record(settings.data_dir / STORE_DIR)
    if not settings.sync.index_url:
        record = record.model_copy(update={"index_url": None})
    data: dict[str, JsonValue] = SyncStatus.of(record, utc_now()).model_dump(mode="json")
    return data


def _render(settings: Settings, agent: dict[str, Any] | None, sync: dict[str, Any]) -> str:
    rows: list[tuple[str, str]] = []
    if agent is None:
        rows.append(("agent", f"not running (nothing answers on port {settings.port})"))
        packs = ", ".join(f"{p['id']} {p['version']}" for p in sync.get("packs") or [])
        if packs:
            rows.append(("packs", f"{packs} (as last recorded)"))
        else:
            rows.append(("packs", _configured_packs(settings)))
    else:
        rows.append(("agent", f"running, postguard {agent.get('agent_version')}"))
        packs = ", ".join(f"{p['id']} {p['version']}" for p in agent.get("packs", []))
        rows.append(("packs", f"{packs} (from {agent.get('packs_source')})"))
        if agent.get("pack_error"):
            rows.append(("pack error", str(agent["pack_error"])))
        rows.append(("pending uploads", str(agent.get("pending_uploads"))))
    rows.append(("sync", _state_words(sync)))
    if sync.get("index_url"):
        rows.append(("index", str(sync["index_url"])))
        if sync.get("serial") is not None:
            rows.append(("serial", str(sync["serial"])))
        for key, label in (
            ("last_attempt", "last attempt"),
            ("last_success", "last success"),
            ("next_attempt", "next attempt"),
            ("expires_at", "packs expire"),
        ):
            rows.append((label, _when(sync.get(key))))
        if sync.get("last_error"):
            rows.append(("last error", str(sync["last_error"])))
    width = max(len(label) for label, _ in rows) + 1
    return "\n".join(f"{label + ':':<{width}} {value}" for label, value in rows)


def _state_words(sync: dict[str, Any]) -> str:
    state = str(sync.get("state"))
    return {
        "ok": "ok",
        "stale": "stale: the signed packs have expired; still enforcing them until IT publishes",
        "error": "error: the last sync did not succeed; the last good packs stay active",
        "pending": "pending: no sync attempted yet",
        "disabled": "disabled: no sync.index_url configured; using bundled or local packs",
    }.get(state, state)


def _when(value: object) -> str:
    if not value:
        return "never"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    delta = (moment - utc_now()).total_seconds()
    span = _span(abs(delta))
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({span} {'from now' if delta > 0 else 'ago'})"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def _configured_packs(settings: Settings) -> str:
    """The configured (or bundled) packs the agent would serve, or why it could not."""
    from agent.packs import load_pack_set

    try:
        pack_set = load_pack_set(settings.pack_dirs)
    except UserError as exc:
        return f"the configured packs do not load, so the agent would not start: {exc.message}"
    served = ", ".join(f"{pack.meta.id} {pack.meta.version}" for pack in pack_set.packs)
    return f"{served} (served when the agent starts)"
