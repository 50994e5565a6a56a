"""POST /v1/check: one draft against the active packs."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from aiohttp import web

from agent.api.body import parse, reply
from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import CHECK_POOL, PACKS, SETTINGS
from agent.api.models import CheckRequest, CheckResponse


async def check(request: web.Request) -> web.Response:
    body = await parse(request, CheckRequest)
    limit = request.app[SETTINGS].max_text_chars
    if len(body.text) > limit:
        raise ApiError(ErrorCode.TEXT_TOO_LONG, f"text is longer than {limit} characters")
    engine = request.app[PACKS].current()  # one pack set for the whole check
    now = datetime.now(UTC)
    started = time.perf_counter()
    # Every check runs in the pool, never on the event loop: a check is bounded in time
    # (pack regexes run under a clock, agent.engine.pack_regex) but can still take that
    # long, and health, pairing and other checks must keep answering meanwhile.  The regex
    # engine releases the GIL while it matches, so the loop really does run.
    result = await asyncio.get_running_loop().run_in_executor(
        request.app[CHECK_POOL], engine.check, body.text, body.platform, now
    )
    elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
    # Its fields are its __dict__ (pydantic's own iteration costs more than the rest of
    # this); validating the engine's models again is cheaper than model_construct, which
    # fills the fields in Python (pydantic keeps model instances as they are).
    return reply(CheckResponse(**vars(result), elapsed_ms=elapsed_ms))
