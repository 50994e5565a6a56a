"""HTTP details shared by the agent's clients (pack sync, event upload)."""

from __future__ import annotations

import email.utils
import ipaddress
import time
from datetime import UTC

from agent.errors import UserError


def retry_after_s(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    None when absent or unreadable; a date in the past is 0.  Callers bound the result:
    a server's far-off date must not park a client for days.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def is_loopback_host(host: str) -> bool:
    """Whether a URL's host name is this machine: where a token may travel over plain HTTP."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_header_token(token: str) -> str:
    """A token given on the command line, fit to travel in an ``Authorization`` header."""
    if not token or not token.isascii() or not token.isprintable() or " " in token:
        raise UserError("--token must be one word of printable ASCII characters")
    return token
