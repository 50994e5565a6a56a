"""Which enrolment tokens the collector accepts: those given at start-up plus those stored."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from pathlib import Path

from agent.collector.digests import token_digest
from agent.errors import UserError


def read_tokens_file(path: Path) -> list[str]:
    """One token per line; blank lines and ``#`` comments are ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UserError(f"cannot read tokens file {path}: {exc.strerror}") from None
    tokens = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not tokens:
        raise UserError(f"tokens file {path} lists no token")
    return tokens


class TokenRegistry:
    """Maps a presented enrolment token to its name (recorded with the devices it enrols).

    Stored tokens are looked up on every request, so one added with
    ``collector add-token`` works at once without restarting the server.
    """

    def __init__(
        self, static_tokens: Iterable[str], lookup_stored: Callable[[str], str | None]
    ) -> None:
        self._static = {token_digest(t): f"startup-{i + 1}" for i, t in enumerate(static_tokens)}
        self._lookup_stored = lookup_stored

    def name_for(self, token: str) -> str | None:
        digest = token_digest(token)
        for known, name in self._static.items():
            # Constant-time on the digest: the comparison leaks nothing about near misses.
            if hmac.compare_digest(known, digest):
                return name
        return self._lookup_stored(digest)
