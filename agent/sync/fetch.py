"""One bounded HTTP GET: ETag revalidation, a byte cap, timeouts, plain-words errors.

Archives are compared by sha256 as files, so responses are asked for and read
undecoded (``Accept-Encoding: identity``, no automatic gunzip); this also keeps a
compressed "bomb" from growing past the cap.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp

from agent.httputil import retry_after_s
from agent.publish.quoting import one_line

if TYPE_CHECKING:
    from agent.sync.credentials import BearerToken

_CHUNK = 64 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:,|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes
    etag: str | None
    max_age_s: float | None  # from Cache-Control; None when absent or no-cache


class FetchError(Exception):
    """A download failed; ``message`` is for people, ``retry_after_s`` from the server."""

    def __init__(self, message: str, *, retry_after_s: float | None = None, status: int = 0):
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s
        self.status = status


def new_session(*, connect_timeout_s: float, read_timeout_s: float) -> aiohttp.ClientSession:
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=connect_timeout_s, sock_read=read_timeout_s
    )
    return aiohttp.ClientSession(
        timeout=timeout,
        auto_decompress=False,
        headers={"Accept-Encoding": "identity", "User-Agent": "postguard-agent"},
        trust_env=True,  # corporate proxies via HTTPS_PROXY
    )


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    max_bytes: int,
    total_timeout_s: float,
    etag: str | None = None,
    bearer: BearerToken | None = None,
) -> Fetched:
    """GET ``url``; ``bearer`` is attached only when ``url`` is on the token's own origin."""
    host = urlsplit(url).netloc or url
    headers = {"If-None-Match": etag} if etag else {}
    if bearer is not None:
        headers.update(bearer.headers_for(url))
    try:
        async with asyncio.timeout(total_timeout_s):
            async with session.get(url, headers=headers, max_redirects=5) as resp:
                if resp.status == 304 and etag:
                    return Fetched(True, b"", etag, _max_age(resp.headers.get("Cache-Control")))
                if resp.status in (401, 403):
                    raise _refused(resp, url, bearer)
                if resp.status != 200:
                    raise FetchError(
                        f"the pack server {host} answered {resp.status}"
                        f" {one_line(resp.reason or '', 60)} for {_name(url)}".replace("  ", " "),
                        retry_after_s=retry_after_s(resp.headers.get("Retry-After")),
                        status=resp.status,
                    )
                if (resp.content_length or 0) > max_bytes:
                    raise FetchError(
                        f"{_name(url)} is {resp.content_length} bytes, over the {max_bytes}-byte"
                        " limit"
                    )
                body = bytearray()
                async for chunk in resp.content.iter_chunked(_CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        raise FetchError(
                            f"{_name(url)} kept streaming past the {max_bytes}-byte limit;"
                            " download cut off"
                        )
                return Fetched(
                    False,
                    bytes(body),
                    resp.headers.get("ETag"),
                    _max_age(resp.headers.get("Cache-Control")),
                )
    except FetchError:
        raise
    # aiohttp's own timeouts are TimeoutErrors too: they must be told apart from the total
    # timeout above, or a server that went quiet for seconds is reported as one that sent
    # slowly for the whole allowance.
    except aiohttp.ConnectionTimeoutError:
        raise FetchError(
            f"the pack server {host} did not accept a connection within"
            f" {_seconds(session.timeout.sock_connect)} (connect timeout)"
        ) from None
    except aiohttp.ServerTimeoutError:
        raise FetchError(
            f"the pack server {host} stopped answering: nothing came for"
            f" {_seconds(session.timeout.sock_read)} while fetching {_name(url)} (read timeout)"
        ) from None
    except TimeoutError:
        raise FetchError(
            f"the pack server {host} did not finish sending {_name(url)} within"
            f" {total_timeout_s:g} s (total timeout)"
        ) from None
    except aiohttp.ClientConnectorError as exc:
        raise FetchError(f"cannot reach the pack server {host} ({_reason(exc)})") from None
    except aiohttp.ClientPayloadError:
        raise FetchError(f"the download of {_name(url)} from {host} was cut short") from None
    except aiohttp.TooManyRedirects:
        raise FetchError(f"the pack server {host} redirected too many times") from None
    except aiohttp.ClientError as exc:
        raise FetchError(f"downloading {_name(url)} from {host} failed: {exc}") from None
    except ValueError as exc:
        # The session trusts the environment (proxies), so aiohttp also reads ~/.netrc; it
        # refuses a request carrying the token and other credentials at once.
        if "Authorization" in headers and "AUTHORIZATION" in str(exc):
            raise FetchError(
                f"the pack server token and other credentials for {host} (a .netrc entry, or a"
                " user and password in sync.index_url) both apply; remove one of them"
            ) from None
        raise FetchError(f"cannot request {_name(url)} from {host}: {exc}") from None


def _refused(resp: aiohttp.ClientResponse, url: str, bearer: BearerToken | None) -> FetchError:
    """A 401 or 403: say whether the token was refused or none was sent, and what to run."""
    answered = f"{resp.status} {one_line(resp.reason or '', 60)}".strip()
    host = resp.url.raw_authority or urlsplit(url).netloc
    # After a redirect to another origin the token was not sent, so it was not refused.
    if bearer is not None and bearer.headers_for(str(resp.url)):
        message = (
            f"the pack server {host} refused the token ({answered} for {_name(url)});"
            " set a valid one with `postguard sync login`"
        )
    elif resp.status == 401:
        message = (
            f"the pack server {host} requires a token ({answered} for {_name(url)});"
            " set one with `postguard sync login URL --token T`"
        )
    else:
        message = (
            f"the pack server {host} answered {answered} for {_name(url)}"
            " (if it requires a token, set one with `postguard sync login URL --token T`)"
        )
    return FetchError(
        message, retry_after_s=retry_after_s(resp.headers.get("Retry-After")), status=resp.status
    )


def _reason(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc.os_error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return "its TLS certificate is not trusted"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "host name not found"
    return exc.os_error.strerror or "unreachable" if exc.os_error else "unreachable"


def _name(url: str) -> str:
    return one_line(urlsplit(url).path.rsplit("/", 1)[-1] or url, 80)


def _seconds(value: float | None) -> str:
    return f"{value:g} s" if value is not None else "too long"


def _max_age(value: str | None) -> float | None:
    if not value or _NO_CACHE.search(value):
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None
