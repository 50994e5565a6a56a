"""Values from a pack, an archive or a server, quoted in messages people read.

Such messages end up in ``postguard sync`` output, ``postguard status``, the
agent's status API and its log.  A member name or a server's reason phrase is
whatever the other side chose: a megabyte, a newline that forges a log line, a
terminal escape or a right-to-left override.  Quoting escapes every character
that is not printable and cuts the value short, so a message stays one
readable line of bounded length.
"""

from __future__ import annotations

from typing import Final

MAX_QUOTED_CHARS: Final = 80
MAX_MESSAGE_CHARS: Final = 1_000


def quoted(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``value`` in quotes, non-printable characters escaped, at most ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def one_line(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` as one line of printable text of at most ``limit`` characters.

    The last line of defence for a message built from several parts, some of them
    quoted already: runs of white space become one space, anything else that does not
    print is escaped, and the tail is cut off with "…".
    """
    flat = " ".join(message[: limit * 4].split())
    text = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in flat
    )
    if len(text) > limit or len(message) > limit * 4:
        return text[: limit - 1] + "…"
    return text
