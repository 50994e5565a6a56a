"""The agent's edge: errors as JSON, then every check a request must pass before a handler.

Order matters.  ``errors`` is outermost so that every refusal, including aiohttp's own
(404, 405, 413), leaves as ``{"error": {"code", "message"}}``.  ``guard`` then checks, in
this order: Host (DNS rebinding), Origin (other extensions and web pages), no query string,
no Content-Encoding, a JSON content type, and — for every route but the public ones — the
bearer token; then :mod:`agent.api.admission` decides the slot, the deadline and the body
cap.  Nothing a request carries is logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import hdrs, web

from agent.api.admission import is_public, serve_in_slot, serve_public
from agent.api.errors import ApiError, ErrorCode
from agent.api.keys import AUTH_LIMITER, SETTINGS, TOKENS
from agent.events.audit import NotRecorded

log = logging.getLogger("postguard.api")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_GENERIC_401: Final = "authentication required"


def error_body(code: ErrorCode, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code.value, "message": message}}


def _json_error(error: ApiError) -> web.Response:
    return web.json_response(
        error_body(error.code, error.message), status=error.status, headers=error.headers
    )


_HTTP_CODES: Final[dict[int, tuple[ErrorCode, str]]] = {
    404: (ErrorCode.NOT_FOUND, "no such endpoint"),
    405: (ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this endpoint"),
    413: (ErrorCode.TOO_LARGE, "request body too large"),
}


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return _json_error(exc)
    except NotRecorded:
        return _json_error(
            ApiError(
                ErrorCode.NOT_RECORDED,
                "not recorded: the audit log could not be written (disk full or read-only?); "
                "nothing was saved, please retry",
            )
        )
    except web.HTTPException as exc:
        code, message = _HTTP_CODES.get(exc.status, (ErrorCode.INVALID_REQUEST, exc.reason))
        if code is ErrorCode.INVALID_REQUEST and exc.status >= 500:
            code, message = ErrorCode.INTERNAL, "internal error"
        return web.json_response(error_body(code, message), status=exc.status)
    except TimeoutError:
        return _json_error(ApiError(ErrorCode.TIMEOUT, "the request took too long"))
    except Exception as exc:  # noqa: BLE001 - the edge: never a traceback or user text out
        log.error("internal error on %s: %s", _route_name(request), type(exc).__name__)
        return _json_error(ApiError(ErrorCode.INTERNAL, "internal error"))


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    _check_host(request)
    _check_origin(request, settings.allowed_origins)
    if request.raw_path.find("?") >= 0:
        raise ApiError(ErrorCode.QUERY_NOT_ALLOWED, "query strings are not accepted")
    if not _identity_only(request.headers.getall(hdrs.CONTENT_ENCODING, [])):
        raise ApiError(ErrorCode.BAD_CONTENT_ENCODING, "compressed request bodies are refused")
    if request.method == hdrs.METH_POST and request.content_type != "application/json":
        raise ApiError(ErrorCode.BAD_CONTENT_TYPE, "Content-Type must be application/json")
    if request.match_info.http_exception is not None:
        raise request.match_info.http_exception
    if is_public(request):
        return await serve_public(request, handler)
    _authenticate(request)  # before a slot is taken or the body read
    return await serve_in_slot(request, handler)


def _identity_only(values: list[str]) -> bool:
    # Every header and every coding in it: the HTTP parser decodes by the last one it sees,
    # so reading only the first would let "identity" then "gzip" through.
    return all(
        coding.strip().lower() == "identity" for value in values for coding in value.split(",")
    )


def _check_host(request: web.Request) -> None:
    # The raw header, not request.host: aiohttp falls back to the socket's address.
    hosts = request.headers.getall(hdrs.HOST, [])
    if not hosts:
        raise ApiError(ErrorCode.MISSING_HOST, "a Host header is required")
    if len(hosts) != 1 or hosts[0].lower() not in _allowed_hosts(_local_port(request)):
        raise ApiError(ErrorCode.BAD_HOST, "Host not allowed")


@functools.lru_cache(maxsize=8)
def _allowed_hosts(port: int) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"})


def _local_port(request: web.Request) -> int:
    transport = request.transport
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    if not sockname:
        raise ApiError(ErrorCode.BAD_HOST, "Host not allowed")
    return int(sockname[1])


def _check_origin(request: web.Request, allowed: list[str]) -> None:
    origins = request.headers.getall(hdrs.ORIGIN, [])
    if not origins:
        return  # curl and the CLI send none; they still need the token
    if len(origins) != 1 or origins[0] not in allowed:
        raise ApiError(ErrorCode.BAD_ORIGIN, "Origin not allowed")


def _authenticate(request: web.Request) -> None:
    limiter = request.app[AUTH_LIMITER]
    if limiter.blocked():
        raise ApiError(
            ErrorCode.RATE_LIMITED,
            "too many failed attempts; retry later",
            headers={"Retry-After": str(limiter.retry_after_s())},
        )
    scheme, _, presented = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    if scheme.lower() != "bearer" or not request.app[TOKENS].accepts(presented.strip()):
        limiter.record_failure()
        raise ApiError(ErrorCode.UNAUTHORIZED, _GENERIC_401)


async def strip_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: no Server header, nothing cacheable, no content sniffing."""
    response.headers.popall(hdrs.SERVER, None)
    response.headers[hdrs.CACHE_CONTROL] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"


def _route_name(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "-"
