from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sync_support import Clock, Publisher

from agent.runtime import load_engine
from agent.sync.credentials import PackServerCredentials
from agent.sync.options import SyncOptions
from agent.sync.store import PackStore
from agent.sync.syncer import Syncer


def compile_packs(dirs: Sequence[Path]) -> Any:
    return load_engine(dirs)


@pytest.fixture
def publisher(tmp_path: Path) -> Publisher:
    return Publisher(tmp_path / "it")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> PackStore:
    return PackStore(tmp_path / "agent-data" / "sync")


@pytest.fixture
async def site_url(
    aiohttp_server: Callable[..., Awaitable[TestServer]], publisher: Publisher
) -> str:
    """A real static file server on loopback serving the publisher's site directory."""
    publisher.site.mkdir(parents=True, exist_ok=True)
    app = web.Application()
    app.router.add_static("/", publisher.site)
    server = await aiohttp_server(app)
    return str(server.make_url("/index.json"))


@pytest.fixture
async def make_syncer(store: PackStore, clock: Clock) -> AsyncIterator[Callable[..., Syncer[Any]]]:
    made: list[Syncer[Any]] = []

    def make(
        index_url: str,
        keys: Sequence[str],
        *,
        on: PackStore | None = None,
        credentials: PackServerCredentials | None = None,
        **options: Any,
    ) -> Syncer[Any]:
        opts = SyncOptions(index_url=index_url, trusted_keys=tuple(keys), **options)
        syncer: Syncer[Any] = Syncer(
            opts, on or store, compile_packs, clock=clock, credentials=credentials
        )
        made.append(syncer)
        return syncer

    yield make
    for syncer in made:
        await syncer.close()


@pytest.fixture
async def bad_server(aiohttp_server: Callable[..., Awaitable[TestServer]]) -> str:
    """A misbehaving pack server: 503 with Retry-After, a hang, an endless stream."""

    async def unavailable(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "120"})

    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response()

    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        chunk = b"x" * 65536
        while True:
            await resp.write(chunk)

    app = web.Application()
    app.router.add_get("/503/index.json", unavailable)
    app.router.add_get("/hang/index.json", hang)
    app.router.add_get("/endless/index.json", endless)
    server = await aiohttp_server(app)
    return str(server.make_url("/"))


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Commands run in this process see no usable keyring, as on a headless machine.

    keyring picks its backend once per process, so an earlier test may have settled it
    before PYTHON_KEYRING_BACKEND is set here; set the backend itself, then put it back.
    """
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)
