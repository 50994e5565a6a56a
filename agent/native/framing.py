"""Chrome's native messaging framing: a 4-byte length in native byte order, then UTF-8 JSON.

Both directions are bounded: a request is a few dozen bytes, so anything over
``MAX_REQUEST_BYTES`` is refused before it is read; Chrome itself refuses a reply over
1 MiB, so a reply that large is a bug, refused here rather than sent.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Final

MAX_REQUEST_BYTES: Final = 4096
MAX_REPLY_BYTES: Final = 1024 * 1024
_LENGTH: Final = struct.Struct("=I")  # native byte order and size, as Chrome writes it


class FramingError(Exception):
    """A message that is cut off or over its bound; the text is the one-line reason."""


def read_message(stream: BinaryIO, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The body of the next message (still JSON text), or a FramingError."""
    length = _LENGTH.unpack(_read_exact(stream, _LENGTH.size, "the length"))[0]
    if length > limit:
        raise FramingError(f"a message of {length} bytes is over the {limit}-byte limit")
    return _read_exact(stream, length, "the message")


def write_message(stream: BinaryIO, body: bytes) -> None:
    if len(body) > MAX_REPLY_BYTES:
        raise FramingError(f"a reply of {len(body)} bytes is over Chrome's 1 MiB limit")
    stream.write(_LENGTH.pack(len(body)) + body)
    stream.flush()


def _read_exact(stream: BinaryIO, size: int, what: str) -> bytes:
    chunks: list[bytes] = []
    missing = size
    while missing > 0:
        chunk = stream.read(missing)
        if not chunk:
            raise FramingError(f"the input ended inside {what} ({size - missing} of {size} bytes)")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
