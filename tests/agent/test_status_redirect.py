"""`postguard status` proves the agent on its own port and never follows a redirect.

A squatter on the agent's port could send the challenge on (HTTP 307) to the real agent
listening elsewhere, pass it, and then receive the Bearer token on the status request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from agent_helpers import make_settings
from aiohttp import web
from keyring.backends.fail import Keyring as FailKeyring

from agent.cli.status_view import NotRunning, query_agent
from agent.security.challenge import proof
from agent.security.secrets import TOKEN, SecretStore


async def test_a_redirecting_squatter_gets_no_token(
    tmp_path: Path, aiohttp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    settings = make_settings(tmp_path)
    token = SecretStore(settings.config_dir, backend=FailKeyring()).get_or_create(TOKEN)

    async def agent_challenge(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"proof": proof(token, str(body["nonce"]))})

    agent_app = web.Application()
    agent_app.router.add_post("/v1/challenge", agent_challenge)
    agent = await aiohttp_server(agent_app)

    seen: list[str | None] = []

    async def squat(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        raise web.HTTPTemporaryRedirect(f"http://127.0.0.1:{agent.port}{request.path}")

    squatter_app = web.Application()
    squatter_app.router.add_post("/v1/{tail:.*}", squat)
    squatter = await aiohttp_server(squatter_app)

    with pytest.raises(NotRunning):
        await query_agent(settings.model_copy(update={"port": squatter.port}))
    assert seen, "the squatter was asked for its proof"
    assert seen == [None] * len(seen), "the token went to the squatter"
