"""Which request bodies the collector reads: plain or gzip, named by exactly one header.

aiohttp inflates a body by *one* ``Content-Encoding`` header (its C parser takes the last
one, its Python parser the first), while a handler reading ``headers.get`` sees the first.
Two headers, a list of codings, or a coding other than gzip would let what is checked
differ from what is inflated, so every such request is refused before its body is read.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from multidict import CIMultiDictProxy

CONTENT_ENCODING: Final = "Content-Encoding"
EVENT_ENCODINGS: Final = frozenset({"identity", "gzip"})
PLAIN_ONLY: Final = frozenset({"identity"})


def encoding_problem(
    headers: CIMultiDictProxy[str], allowed: Collection[str] = EVENT_ENCODINGS
) -> str | None:
    """Why the body's encoding is refused, or None when it is one allowed coding (or none)."""
    values = headers.getall(CONTENT_ENCODING, [])
    if len(values) > 1:
        return "more than one Content-Encoding header"
    if not values:
        return None
    codings = [part.strip() for part in values[0].split(",") if part.strip()]
    if len(codings) > 1:
        return "more than one content coding"
    coding = codings[0].lower() if codings and codings[0].isascii() else values[0]
    if coding not in allowed:
        return f"Content-Encoding {coding[:40]!r} is not accepted"
    return None
