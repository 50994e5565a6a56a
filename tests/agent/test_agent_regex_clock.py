"""A pack whose regexes backtrack cannot stall the agent: checks run off the event loop.

Ten rules each run into their time limit on the draft below, so the check takes the
whole check budget; meanwhile ``/v1/health`` must answer, which it can only do if the
check is not running on the event loop (and the regex engine lets the loop have the GIL).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from agent_helpers import build_app, make_settings, post, serve_app
from aiohttp.test_utils import TestClient

from agent.api.keys import TOKEN
from tests.engine.packfiles import rule_yaml, write_pack

RULES = 10


def _hostile_pack(root: Path) -> Path:
    rules = [
        rule_yaml(f"match:\n  type: pattern\n  regex: '(a|aa)+{i}$'\n", id=f"slow.rule{i}")
        for i in range(RULES)
    ]
    return write_pack(root, rules, id="slow")


async def test_health_answers_while_a_slow_check_runs(aiohttp_client: Any, tmp_path: Path) -> None:
    app = build_app(make_settings(tmp_path, pack_dirs=[_hostile_pack(tmp_path / "packs")]))
    client: TestClient[Any, Any] = await serve_app(aiohttp_client, app)
    draft = "a" * 40 + "!" + "".join(str(i) for i in range(RULES))  # every rule's digit is here
    finished: list[str] = []

    async def run_check() -> dict[str, Any]:
        response = await post(client, "/v1/check", {"text": draft, "platform": "x"}, app[TOKEN])
        finished.append("check")
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body

    async def ask_health() -> None:
        await asyncio.sleep(0.05)  # the check is under way
        response = await client.get("/v1/health")
        assert response.status == 200
        finished.append("health")

    body, _ = await asyncio.gather(run_check(), ask_health())
    assert finished == ["health", "check"]
    assert len(body["timed_out"]) >= 1
    assert all(name.startswith("slow/slow.rule") for name in body["timed_out"])
