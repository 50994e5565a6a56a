"""A pack server behind bearer authentication, and an in-memory keyring to hold tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class AuthServer:
    """A static pack site that answers 401 unless ``Authorization: Bearer <token>`` is sent."""

    token: str
    refusal: int = 401  # some servers answer 403 to a wrong token
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # path, Authorization
    server: TestServer | None = None

    @property
    def origin(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/")).rstrip("/")

    def url(self, path: str = "/index.json") -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    def app(self, site: Path, redirect_to: AuthServer | None = None) -> web.Application:
        @web.middleware
        async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.seen.append((request.path, request.headers.get("Authorization")))
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return web.Response(status=self.refusal, headers={"WWW-Authenticate": "Bearer"})
            return await handler(request)

        async def moved(request: web.Request) -> web.Response:
            assert redirect_to is not None
            raise web.HTTPFound(redirect_to.url("/" + request.match_info["tail"]))

        app = web.Application(middlewares=[require_token])
        if redirect_to is not None:
            app.router.add_get("/moved/{tail:.*}", moved)
        app.router.add_static("/", site)
        return app

    async def start(
        self,
        aiohttp_server: Callable[..., Awaitable[TestServer]],
        site: Path,
        redirect_to: AuthServer | None = None,
    ) -> AuthServer:
        site.mkdir(parents=True, exist_ok=True)
        self.server = await aiohttp_server(self.app(site, redirect_to))
        return self

    def headers_on(self, path: str) -> list[str | None]:
        return [auth for seen_path, auth in self.seen if seen_path == path]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class MemoryKeyring:
    """A secure keyring in memory, as an OS keyring would behave.

    Not a ``KeyringBackend`` subclass on purpose: keyring registers every subclass and would
    pick this one as the process-wide default for tests that rely on the real lookup.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]
