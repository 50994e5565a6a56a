"""Admission: which requests get a request slot, how long they may take, how much they may send.

The slot pool (``app[SLOTS]``, ``max_concurrent_requests``) is reserved for authenticated
requests.  A caller is authenticated from its headers alone, before it takes a slot and
before a byte of its body is read, so a client without the token never holds one.

The public endpoints (health, pair, challenge) take no slot at all: anyone on the machine
may call them, so any pool they shared would be the one an attacker fills with slow bodies,
and the extension's checks would wait behind it.  Each public request is bounded on its own
instead: a body of at most ``PUBLIC_BODY_MAX_BYTES``, sent whole within
``PUBLIC_DEADLINE_S``, before its handler starts.  The handler then has the usual
``request_timeout_s``: what it does (a pairing step, one HMAC) is the agent's own work, and
cutting it short could leave it half done (a token rotated that nobody received).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web

from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import SETTINGS, SLOTS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PUBLIC_PATHS: Final = frozenset({"/v1/health", "/v1/pair", "/v1/challenge"})
# A pairing code is at most 32 characters and a nonce 256, both ASCII: a body that needs
# more than this is not one the extension sends.
PUBLIC_BODY_MAX_BYTES: Final = 2048
# A local client sends a few hundred bytes in well under a millisecond; two seconds leave
# room for a stalled machine and none for a client that dribbles.
PUBLIC_DEADLINE_S: Final = 2.0


def is_public(request: web.Request) -> bool:
    return request.path in PUBLIC_PATHS


async def serve_public(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A public request: no slot, a small body read in full under a short deadline."""
    length = request.content_length
    if length is not None and length > PUBLIC_BODY_MAX_BYTES:
        raise ApiError(ErrorCode.TOO_LARGE, "request body too large")
    # The clone shares the connection's stream; only the cap on what read() accepts differs.
    # What it reads stays with it, so the handler's parse() gets the same bytes at once.
    capped = request.clone(client_max_size=PUBLIC_BODY_MAX_BYTES)
    timeout_s = request.app[SETTINGS].request_timeout_s
    async with asyncio.timeout(min(PUBLIC_DEADLINE_S, timeout_s)):
        await capped.read()  # aiohttp → 413 past the cap; the deadline → 503 timeout
    async with asyncio.timeout(timeout_s):
        return await handler(capped)


async def serve_in_slot(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An authenticated request: a slot (waited for, but not for ever), then the deadline."""
    timeout_s = request.app[SETTINGS].request_timeout_s
    slots = request.app[SLOTS]
    if slots.locked():  # every slot taken: wait for one, but not for ever
        try:
            async with asyncio.timeout(timeout_s):
                await slots.acquire()
        except TimeoutError:
            raise ApiError(ErrorCode.BUSY, "the agent is busy; retry shortly") from None
    else:
        await slots.acquire()  # a free slot is taken at once: no timer for the common case
    try:
        async with asyncio.timeout(timeout_s):
            return await handler(request)
    finally:
        slots.release()
