from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from upload_support import TOKEN, Collector, Faults

from agent.collector.app import create_collector_app
from agent.events.audit import AuditLog


@pytest.fixture
async def collector(
    aiohttp_server: Callable[..., Awaitable[TestServer]], tmp_path: Path
) -> AsyncIterator[Collector]:
    faults = Faults()
    db_path = tmp_path / "collector.sqlite3"
    app = create_collector_app(db_path, [TOKEN], middlewares=[faults.middleware])
    server = await aiohttp_server(app)
    yield Collector(url=str(server.make_url("/")).rstrip("/"), db_path=db_path, faults=faults)
    faults.release.set()


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "audit.sqlite3"


@pytest.fixture
def audit(audit_path: Path) -> Iterator[AuditLog]:
    log = AuditLog(audit_path, user="alex@example.com")
    yield log
    log.close()


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Secrets go to the 0600 file under the test's config dir, never a desktop keyring.

    keyring picks its backend once per process; set it, then put it back.
    """
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)
