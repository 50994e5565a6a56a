"""The pack server's bearer token: a secret bound to one origin, never a setting.

Packs can carry hashed confidential lists, so IT may put the pack server behind
authentication.  The token is stored like the collector token (OS keyring, or the 0600
secrets file where there is no usable keyring), under a name that includes the origin it
was given for: ``pack-server-token https://packs.example.com``.  It is therefore only ever
attached to requests for that scheme, host and port; an index or archive URL anywhere else,
and any redirect to another origin (aiohttp drops ``Authorization`` there), goes without it.

It is looked up on every sync attempt, so ``postguard sync login`` and ``logout`` take
effect in a running agent without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from agent.errors import UserError
from agent.httputil import check_header_token, is_loopback_host
from agent.security.secrets import SecretStore

SECRET_PREFIX: Final = "pack-server-token "  # noqa: S105 - a keyring entry name
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` in one spelling (lower case, default port left out)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise UserError(f"{url!r} has an invalid port") from None
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise UserError(f"{url!r} is not an http(s) URL like https://packs.example.com")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def token_origin(url: str) -> str:
    """The origin a token may be given for: HTTPS, or plain HTTP to this machine only."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise UserError("the pack server URL must not carry a user name or password")
    origin = origin_of(url)
    if parts.scheme.lower() == "http" and not is_loopback_host(parts.hostname or ""):
        raise UserError(
            f"use https:// for a pack server on another machine; over {origin} the token would"
            " travel in clear"
        )
    return origin


@dataclass(frozen=True)
class BearerToken:
    origin: str
    token: str = field(repr=False)  # never in a log line or traceback by accident

    def headers_for(self, url: str) -> dict[str, str]:
        """The ``Authorization`` header for a request to ``url``: only on the token's origin."""
        try:
            same = origin_of(url) == self.origin
        except UserError:
            return {}
        return {"Authorization": f"Bearer {self.token}"} if same else {}


class PackServerCredentials:
    """Tokens in the secret store, one per pack server origin."""

    def __init__(self, secrets: SecretStore) -> None:
        self._secrets = secrets

    def save(self, url: str, token: str) -> tuple[str, str]:
        """Store ``token`` for ``url``'s origin; return the origin and where it went."""
        origin = token_origin(url)
        return origin, self._secrets.put(SECRET_PREFIX + origin, check_header_token(token))

    def forget(self, url: str) -> tuple[str, bool]:
        """Remove the token for ``url``'s origin; return the origin and whether one was stored."""
        origin = origin_of(url)
        return origin, self._secrets.delete(SECRET_PREFIX + origin)

    def for_index(self, index_url: str) -> BearerToken | None:
        """The token to send with requests for ``index_url``, if one is stored and may travel."""
        try:
            origin = token_origin(index_url)
        except UserError:
            return None  # never over plain HTTP to another machine, whatever is stored
        token = self._secrets.get(SECRET_PREFIX + origin)
        return BearerToken(origin, token) if token else None
