"""Helpers shared by the agent's tests (a unique module name: test dirs have no packages)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from keyring.backends.fail import Keyring as FailKeyring

from agent.api.keys import AUDIT, SETTINGS
from agent.api.server import runner_options
from agent.app import create_app
from agent.config import Settings
from agent.security.secrets import SecretStore

FIXTURES = Path(__file__).parent / "fixtures"
CORE_PACK = FIXTURES / "packs" / "core"
EXTRA_PACK = FIXTURES / "packs" / "extra"
EXTENSION_ORIGIN = "chrome-extension://fmiiiaehnajkhelcmmjanpbbckoigbbd"

CODENAME = {"rule_id": "confidential.codename", "pack": {"id": "test-core", "version": "1.0.0"}}
GOOD_JUSTIFICATION = "Announced at the all-hands meeting last week"


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "pack_dirs": [CORE_PACK, EXTRA_PACK],
        "config_dir": tmp_path / "config",
        "data_dir": tmp_path / "data",
    }
    values.update(changes)
    return Settings(**values)


def build_app(settings: Settings, plugins: Sequence[str] = ()) -> web.Application:
    """The agent, bare by default; ``plugins`` as in ``agent.app.PLUGINS``."""
    store = SecretStore(settings.config_dir, backend=FailKeyring())
    return create_app(settings, plugins=plugins, secrets=store)


async def serve_app(aiohttp_client: Any, app: web.Application) -> TestClient[Any, Any]:
    """A client for ``app`` on a real loopback port, with the production runner options."""
    server = TestServer(app)
    await server.start_server(**runner_options(app[SETTINGS]))
    client: TestClient[Any, Any] = await aiohttp_client(server)
    return client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def post(
    client: TestClient[Any, Any], path: str, body: Any, token: str | None = None, **headers: str
) -> ClientResponse:
    all_headers = {**(auth(token) if token else {}), **headers}
    return await client.post(path, json=body, headers=all_headers)


def override_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "findings": [{**CODENAME, "start": 0, "end": 19, "matched": "Project Nightingale"}],
        "platform": "linkedin",
        "reason": "my manager approved it",
        "justification": GOOD_JUSTIFICATION,
    }
    body.update(changes)
    return body


def audit_count(app: web.Application) -> int:
    return app[AUDIT].count()


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``postguard ARGS`` as a real subprocess with ``env``; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
