"""The collector's web app: the HEC event endpoint in front of a CollectorStore."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Middleware

from agent.collector.store import CollectorStore
from agent.collector.tokens import TokenRegistry
from agent.events.upload_wire import (
    AUTH_SCHEME,
    HEC_HEALTH_PATH,
    HEC_HTTP_STATUS,
    HEC_PATH,
    HecAnswer,
    HecCode,
    WireFormatError,
    decode_events,
    event_id_of,
)

log = logging.getLogger("postguard.collector")

# Bounds the *decompressed* body too: aiohttp counts inflated bytes against it.
MAX_BODY_BYTES: Final = 16 * 1024 * 1024

STORE_KEY: Final = web.AppKey("store", CollectorStore)
TOKENS_KEY: Final = web.AppKey("tokens", TokenRegistry)
WRITE_LOCK_KEY: Final = web.AppKey("write_lock", asyncio.Lock)


def hec_response(code: HecCode, invalid_event_number: int | None = None) -> web.Response:
    answer = HecAnswer.of(code, invalid_event_number)
    return web.json_response(answer.body(), status=HEC_HTTP_STATUS[code])


async def _authorise(request: web.Request) -> str | web.Response:
    header = request.headers.get("Authorization")
    if not header:
        return hec_response(HecCode.TOKEN_REQUIRED)
    scheme, _, token = header.partition(" ")
    if scheme != AUTH_SCHEME or not token.strip():
        return hec_response(HecCode.INVALID_AUTHORIZATION)
    name = await asyncio.to_thread(request.app[TOKENS_KEY].name_for, token.strip())
    return name if name is not None else hec_response(HecCode.INVALID_TOKEN)


async def receive_events(request: web.Request) -> web.Response:
    authorised = await _authorise(request)
    if isinstance(authorised, web.Response):
        return authorised
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return web.json_response(
            {"text": "Content too large", "code": int(HecCode.INVALID_DATA_FORMAT)}, status=413
        )
    try:
        envelopes = decode_events(raw)
    except WireFormatError as exc:
        return hec_response(exc.code, exc.index)
    for index, envelope in enumerate(envelopes):
        if event_id_of(envelope) is None:
            # Without an id a resent batch would be stored twice.
            return hec_response(HecCode.INVALID_DATA_FORMAT, index)
    store = request.app[STORE_KEY]
    try:
        async with request.app[WRITE_LOCK_KEY]:
            added = await asyncio.to_thread(
                store.insert_batch, envelopes, token_name=authorised, received_at=time.time()
            )
    except sqlite3.OperationalError as exc:
        log.error("could not store a batch of %d events: %s", len(envelopes), exc)
        return hec_response(HecCode.SERVER_BUSY)
    log.info("stored %d new of %d events from %s", added, len(envelopes), authorised)
    return hec_response(HecCode.SUCCESS)


async def health(request: web.Request) -> web.Response:
    return hec_response(HecCode.HEALTHY)


async def _drop_server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.pop("Server", None)


def create_collector_app(
    db_path: Path,
    tokens: Iterable[str] = (),
    *,
    middlewares: Iterable[Middleware] = (),
) -> web.Application:
    """The one factory for ``collector serve`` and tests (which may add fault middlewares)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=list(middlewares))
    static_tokens = list(tokens)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        store = await asyncio.to_thread(CollectorStore, db_path)
        app[STORE_KEY] = store
        app[TOKENS_KEY] = TokenRegistry(static_tokens, store.token_name)
        app[WRITE_LOCK_KEY] = asyncio.Lock()
        yield
        await asyncio.to_thread(store.close)

    app.cleanup_ctx.append(lifecycle)
    app.on_response_prepare.append(_drop_server_header)
    for path in (HEC_PATH, HEC_PATH + "/1.0", "/services/collector"):
        app.router.add_post(path, receive_events)
    app.router.add_get(HEC_HEALTH_PATH, health)
    app.router.add_get(HEC_HEALTH_PATH + "/1.0", health)
    return app
