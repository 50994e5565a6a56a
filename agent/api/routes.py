"""API v1: the route table and nothing else (docs/api.md describes each row)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from agent.api import checking, info, recording, session

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTES: Final[tuple[tuple[str, str, Handler], ...]] = (
    ("GET", "/v1/health", session.health),
    ("POST", "/v1/pair", session.pair),
    ("POST", "/v1/challenge", session.challenge),
    ("POST", "/v1/check", checking.check),
    ("POST", "/v1/overrides", recording.overrides),
    ("POST", "/v1/feedback", recording.feedback),
    ("POST", "/v1/acknowledge", recording.acknowledge),
    ("POST", "/v1/policy", info.policy),
    ("POST", "/v1/status", info.status),
)


def add_routes(app: web.Application) -> None:
    for method, path, handler in ROUTES:
        # allow_head=False: HEAD of health would be a second, undocumented route.
        if method == "GET":
            app.router.add_get(path, handler, allow_head=False)
        else:
            app.router.add_route(method, path, handler)
