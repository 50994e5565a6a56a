"""Handlers that need no token: health, pairing, and the agent's proof of the token."""

from __future__ import annotations

from aiohttp import web

from agent.api.body import parse, reply
from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import PAIR_LIMITER, PAIRING, TOKEN
from agent.api.models import (
    ChallengeRequest,
    ChallengeResponse,
    HealthResponse,
    PairRequest,
    PairResponse,
)
from agent.security.challenge import proof


async def health(request: web.Request) -> web.Response:
    return reply(HealthResponse())


async def pair(request: web.Request) -> web.Response:
    body = await parse(request, PairRequest)
    limiter = request.app[PAIR_LIMITER]
    if limiter.blocked():
        raise ApiError(
            ErrorCode.RATE_LIMITED,
            "too many pairing attempts; wait a minute and try again",
            headers={"Retry-After": str(limiter.retry_after_s())},
        )
    if not request.app[PAIRING].redeem(body.code):
        limiter.record_failure()
        raise ApiError(
            ErrorCode.BAD_CODE,
            "the pairing code is wrong, used or expired; run `postguard pair` for a new one",
        )
    return reply(PairResponse(token=request.app[TOKEN]))


async def challenge(request: web.Request) -> web.Response:
    body = await parse(request, ChallengeRequest)
    return reply(ChallengeResponse(proof=proof(request.app[TOKEN], body.nonce)))
