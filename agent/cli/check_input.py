"""Reading drafts for ``postguard check``: bounded, strictly decoded, one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from agent.engine.limits import MAX_TEXT_CHARS
from agent.errors import UserError

# UTF-8 needs at most 4 bytes a character; reading one more byte tells "too long" apart.
MAX_INPUT_BYTES = MAX_TEXT_CHARS * 4
MAX_LINE_BYTES = MAX_INPUT_BYTES * 2  # a JSON line escapes characters, so allow room


def open_input(name: str) -> BinaryIO:
    if name == "-":
        return sys.stdin.buffer
    try:
        return Path(name).open("rb")
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror}") from None


def read_text(name: str) -> str:
    stream = open_input(name)
    try:
        raw = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror}") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if len(raw) > MAX_INPUT_BYTES:
        raise UserError(
            f"input is larger than {MAX_INPUT_BYTES} bytes; the limit is"
            f" {MAX_TEXT_CHARS} characters"
        )
    return decode_text(raw, what="input")


def decode_text(raw: bytes, *, what: str) -> str:
    if b"\x00" in raw:
        raise UserError(f"{what} contains NUL bytes; expected the text of a post, not binary data")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} is not valid UTF-8 (bad byte at offset {exc.start})") from None
    return validate_text(text, what=what)


def validate_text(text: str, *, what: str) -> str:
    if "\x00" in text:
        raise UserError(f"{what} contains NUL characters; expected the text of a post")
    if not text.strip():
        raise UserError(f"{what} is empty; expected the text of a post")
    if len(text) > MAX_TEXT_CHARS:
        raise UserError(f"{what} is {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    return text


def iter_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Input lines without their newline; ``None`` for a line over the size limit."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # discard the rest of the long line
                line = stream.readline(MAX_LINE_BYTES)
            yield None
            continue
        yield line.rstrip(b"\r\n")
