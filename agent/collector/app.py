"""The collector's web app: HEC's event endpoint and device enrolment, in front of a store.

Two kinds of token: an *enrolment* token is shared by a group of machines and only
enrols them (``ENROL_PATH``); each machine gets a *device* token in exchange, and events
are accepted only with a device token and only for that device.
"""

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
from pydantic import ValidationError

from agent.collector.body import PLAIN_ONLY, encoding_problem
from agent.collector.devices import Device, DeviceTaken
from agent.collector.schema import AcceptedEvent, EnrolIn, EventRefused, check_envelope
from agent.collector.store import CollectorStore
from agent.collector.tokens import TokenRegistry
from agent.events.upload_wire import (
    AUTH_SCHEME,
    ENROL_PATH,
    HEC_HEALTH_PATH,
    HEC_HTTP_STATUS,
    HEC_PATH,
    HEC_TEXT,
    EnrolAnswer,
    HecAnswer,
    HecCode,
    WireFormatError,
    decode_events,
)

log = logging.getLogger("postguard.collector")

# Bounds the *decompressed* body too: aiohttp counts inflated bytes against it.
MAX_BODY_BYTES: Final = 16 * 1024 * 1024
MAX_ENROL_BYTES: Final = 4096
# Events one device may store in a rolling day; an agent's backlog beyond it waits
# (429 with Retry-After) instead of filling the disk.
DEFAULT_DEVICE_QUOTA: Final = 5000

STORE_KEY: Final = web.AppKey("store", CollectorStore)
TOKENS_KEY: Final = web.AppKey("tokens", TokenRegistry)
WRITE_LOCK_KEY: Final = web.AppKey("write_lock", asyncio.Lock)
QUOTA_KEY: Final = web.AppKey("device_quota", int)


def hec_response(
    code: HecCode,
    invalid_event_number: int | None = None,
    *,
    detail: str | None = None,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    text = HEC_TEXT[code] if detail is None else f"{HEC_TEXT[code]}: {detail}"
    answer = HecAnswer(text=text, code=int(code), invalid_event_number=invalid_event_number)
    return web.json_response(answer.body(), status=status or HEC_HTTP_STATUS[code], headers=headers)


def _presented_token(request: web.Request) -> str | web.Response:
    header = request.headers.get("Authorization")
    if not header:
        return hec_response(HecCode.TOKEN_REQUIRED)
    scheme, _, token = header.partition(" ")
    if scheme != AUTH_SCHEME or not token.strip():
        return hec_response(HecCode.INVALID_AUTHORIZATION)
    return token.strip()


async def _device(request: web.Request) -> Device | web.Response:
    token = _presented_token(request)
    if isinstance(token, web.Response):
        return token
    device = await asyncio.to_thread(request.app[STORE_KEY].device_for_token, token)
    if device is not None:
        return device
    if await asyncio.to_thread(request.app[TOKENS_KEY].name_for, token) is not None:
        # The shared token is on every machine of a group: it must not speak for any of them.
        detail = "an enrolment token cannot send events; the agent must enrol first"
        return hec_response(HecCode.INVALID_TOKEN, detail=detail)
    return hec_response(HecCode.INVALID_TOKEN)


async def receive_events(request: web.Request) -> web.Response:
    device = await _device(request)
    if isinstance(device, web.Response):
        return device
    problem = encoding_problem(request.headers)
    if problem is not None:
        return hec_response(HecCode.INVALID_DATA_FORMAT, detail=problem, status=415)
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
    now = time.time()
    accepted: list[AcceptedEvent] = []
    for index, envelope in enumerate(envelopes):
        try:
            accepted.append(check_envelope(envelope, device_id=device.device_id, now=now))
        except EventRefused as exc:
            log.warning("refused a batch of device %s: event %d: %s", device.device_id, index, exc)
            return hec_response(HecCode.INVALID_DATA_FORMAT, index, detail=str(exc))
    store = request.app[STORE_KEY]
    try:
        async with request.app[WRITE_LOCK_KEY]:
            outcome = await asyncio.to_thread(
                store.store_device_batch,
                device,
                accepted,
                received_at=now,
                quota_per_day=request.app[QUOTA_KEY],
            )
    except sqlite3.OperationalError as exc:
        log.error("could not store a batch of %d events: %s", len(envelopes), exc)
        return hec_response(HecCode.SERVER_BUSY)
    if outcome.flagged:
        kinds = ", ".join(sorted({kind.value for kind in outcome.flagged}))
        log.warning("device %s: chain flagged (%s)", device.device_id, kinds)
    log.info(
        "stored %d new of %d events from device %s", outcome.added, len(accepted), device.device_id
    )
    if outcome.quota_exceeded:
        retry = str(max(1, round(outcome.retry_after_s or 60)))
        return hec_response(
            HecCode.SERVER_BUSY,
            detail="this device's daily event quota is used up",
            status=429,
            headers={"Retry-After": retry},
        )
    return hec_response(HecCode.SUCCESS)


async def enrol(request: web.Request) -> web.Response:
    """Exchange an enrolment token for a device token bound to the device id in the body."""
    token = _presented_token(request)
    if isinstance(token, web.Response):
        return token
    group = await asyncio.to_thread(request.app[TOKENS_KEY].name_for, token)
    if group is None:
        return hec_response(HecCode.INVALID_TOKEN)
    problem = encoding_problem(request.headers, PLAIN_ONLY)
    if problem is not None:
        return hec_response(HecCode.INVALID_DATA_FORMAT, detail=problem, status=415)
    length = request.content_length
    if length is None or length > MAX_ENROL_BYTES:
        return web.json_response(
            {"text": "Content too large", "code": int(HecCode.INVALID_DATA_FORMAT)}, status=413
        )
    try:
        body = EnrolIn.model_validate_json(await request.read())
    except ValidationError as exc:
        error = exc.errors(include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "body"
        return hec_response(HecCode.INVALID_DATA_FORMAT, detail=f"{where}: {error['msg']}")
    store = request.app[STORE_KEY]
    try:
        async with request.app[WRITE_LOCK_KEY]:
            device_token = await asyncio.to_thread(
                store.enrol_device,
                body.device_id,
                body.user,
                enrolled_by=group,
                current_token=body.current_token,
            )
    except DeviceTaken:
        log.warning("refused to enrol device %s again without its token", body.device_id)
        detail = (
            "this device is enrolled already; enrol with its current device token, "
            "or have IT release it (postguard collector release-device)"
        )
        return hec_response(HecCode.INVALID_AUTHORIZATION, detail=detail, status=409)
    except sqlite3.OperationalError as exc:
        log.error("could not enrol device %s: %s", body.device_id, exc)
        return hec_response(HecCode.SERVER_BUSY)
    log.info("enrolled device %s for %s with the %s token", body.device_id, body.user, group)
    answer = EnrolAnswer(device_id=body.device_id, device_token=device_token)
    return web.json_response(answer.model_dump())


async def health(request: web.Request) -> web.Response:
    return hec_response(HecCode.HEALTHY)


async def _drop_server_header(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.pop("Server", None)


def create_collector_app(
    db_path: Path,
    tokens: Iterable[str] = (),
    *,
    middlewares: Iterable[Middleware] = (),
    device_quota: int = DEFAULT_DEVICE_QUOTA,
) -> web.Application:
    """The one factory for ``collector serve`` and tests (which may add fault middlewares).

    ``tokens`` are enrolment tokens, accepted besides those stored with ``add-token``.
    """
    if device_quota < 1:
        raise ValueError("device_quota must be at least 1")
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=list(middlewares))
    static_tokens = list(tokens)
    app[QUOTA_KEY] = device_quota

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
    app.router.add_post(ENROL_PATH, enrol)
    app.router.add_get(HEC_HEALTH_PATH, health)
    app.router.add_get(HEC_HEALTH_PATH + "/1.0", health)
    return app
