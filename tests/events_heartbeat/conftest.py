from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from agent.collector.app import create_collector_app

ENROLMENT_TOKEN = "heartbeat-test-token-0123456789abcdef"


@pytest.fixture
def collector_db(tmp_path: Path) -> Path:
    return tmp_path / "collector" / "events.sqlite3"


@pytest.fixture
async def collector_url(
    aiohttp_server: Callable[..., Awaitable[TestServer]], collector_db: Path
) -> str:
    """The reference collector on a loopback port."""
    server = await aiohttp_server(create_collector_app(collector_db, [ENROLMENT_TOKEN]))
    return str(server.make_url("/")).rstrip("/")


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Secrets go to the 0600 file under the test's config dir, never a desktop keyring."""
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)
