from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import TOKEN

from agent.collector.app import create_collector_app

ClientMaker = Callable[..., Any]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "collector.sqlite3"


@pytest.fixture
async def collector(aiohttp_client: ClientMaker, db_path: Path) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = await aiohttp_client(create_collector_app(db_path, [TOKEN]))
    return client
