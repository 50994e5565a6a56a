"""Fixtures for the agent's tests: the real app on a real loopback port, real SQLite files."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import build_app, make_settings, serve_app
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.keys import TOKEN
from agent.config import Settings

AiohttpClient = Callable[..., Coroutine[Any, Any, TestClient[Any, Any]]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return build_app(settings)


@pytest.fixture
async def client(aiohttp_client: AiohttpClient, app: web.Application) -> TestClient[Any, Any]:
    return await serve_app(aiohttp_client, app)


@pytest.fixture
def token(app: web.Application) -> str:
    return app[TOKEN]
