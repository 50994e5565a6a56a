"""Handlers that need no token: health, pairing, and the agent's proof of the token."""

from __future__ import annotations

import asyncio

from aiohttp import web

from agent.api.body import parse, reply
from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import PAIR_LIMITER, PAIRING, TOKENS
from agent.api.models import (
    ChallengeRequest,
    ChallengeResponse,
    HealthResponse,
    PairResponse,
)
from agent.api.pair_models import (
    PairHello,
    PairHelloResponse,
    PairProve,
    PairProveResponse,
    PairRequest,
    PairWithCode,
)
from agent.security.challenge import proof

_BAD_CODE = "the pairing code is wrong, used or expired; run `postguard pair` for a new one"


async def health(request: web.Request) -> web.Response:
    return reply(HealthResponse())


async def pair(request: web.Request) -> web.Response:
    body = (await parse(request, PairRequest)).root
    limiter = request.app[PAIR_LIMITER]
    if limiter.blocked():
        raise ApiError(
            ErrorCode.RATE_LIMITED,
            "too many pairing attempts; wait a minute and try again",
            headers={"Retry-After": str(limiter.retry_after_s())},
        )
    if isinstance(body, PairHello):
        return _hello(request, body)
    if isinstance(body, PairProve):
        return await _prove(request, body)
    return await _with_code(request, body)


async def _with_code(request: web.Request, body: PairWithCode) -> web.Response:
    if not request.app[PAIRING].redeem(body.code):
        request.app[PAIR_LIMITER].record_failure()
        raise ApiError(ErrorCode.BAD_CODE, _BAD_CODE)
    return reply(PairResponse(token=await _issue_token(request)))


def _hello(request: web.Request, body: PairHello) -> web.Response:
    agent_nonce = request.app[PAIRING].open_session(body.nonce)
    if agent_nonce is None:
        raise ApiError(
            ErrorCode.BAD_CODE, "no pairing code is pending; run `postguard pair` for one"
        )
    return reply(PairHelloResponse(agent_nonce=agent_nonce))


async def _prove(request: web.Request, body: PairProve) -> web.Response:
    # Imported on the first pairing, not at start: `cryptography` is heavy to load.
    from agent.security import pairing_proof

    codes = request.app[PAIRING]
    if not codes.take_session(body.agent_nonce, body.nonce):
        raise ApiError(ErrorCode.BAD_CODE, "this pairing attempt expired; start it again")
    code = codes.pending()
    if code is None:
        raise ApiError(ErrorCode.BAD_CODE, _BAD_CODE)
    if not codes.start_attempt():
        raise ApiError(ErrorCode.BUSY, "another pairing attempt is being checked; try again")
    try:
        exchange = pairing_proof.transcript(_address(request), body.nonce, body.agent_nonce)
        keys = await asyncio.to_thread(pairing_proof.derive_keys, code, body.nonce)
    finally:
        codes.end_attempt()
    expected = pairing_proof.extension_proof(keys, exchange)
    if not pairing_proof.proofs_equal(body.proof, expected):
        request.app[PAIR_LIMITER].record_failure()
        codes.record_failure(code)
        raise ApiError(ErrorCode.BAD_CODE, _BAD_CODE)
    if not codes.consume(code):  # a new code was issued meanwhile, or another tab won
        raise ApiError(ErrorCode.BAD_CODE, _BAD_CODE)
    token = await _issue_token(request)
    sealed = pairing_proof.seal_token(keys, exchange, token)
    return reply(
        PairProveResponse(
            iv=sealed.iv,
            sealed_token=sealed.sealed_token,
            proof=pairing_proof.agent_proof(keys, exchange, token),
        )
    )


def _address(request: web.Request) -> str:
    """Where the client connected, as it dialled it: ``127.0.0.1:P`` or ``[::1]:P``."""
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not sockname:
        raise ApiError(ErrorCode.BAD_HOST, "Host not allowed")
    host, port = str(sockname[0]), int(sockname[1])
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _issue_token(request: web.Request) -> str:
    """A new token for the client that just paired; the one before is retired."""
    return await asyncio.to_thread(request.app[TOKENS].rotate)


async def challenge(request: web.Request) -> web.Response:
    body = await parse(request, ChallengeRequest)
    tokens = request.app[TOKENS]
    # The token at hand, or (after another process rotated it) read from the store.
    at_hand = tokens.current_nowait()
    token = at_hand if at_hand is not None else await asyncio.to_thread(tokens.current)
    return reply(ChallengeResponse(proof=proof(token, body.nonce)))
