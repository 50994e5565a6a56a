"""Reading labelled corpora for ``postguard pack eval``: bounded, streamed, ``file:line`` errors.

A corpus is measured as a whole, so the first bad line stops the run (exit 2) with one line
that says where and what; numbers from a half-read corpus would mislead a CI gate.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from pydantic import ValidationError

from agent.cli.check_input import open_input
from agent.errors import UserError
from agent.packs.evaluate import CorpusPost, PostRef

MAX_LINE_BYTES = 1024 * 1024
MAX_CORPUS_LINES = 1_000_000
SHAPE = (
    '{"text": ..., "platform": "linkedin"|"x", "expect": [category, ...], "id": ..., "note": ...,'
    ' "labelled_for": [category, ...]}'
)


def read_corpus(names: Sequence[str]) -> Iterator[tuple[PostRef, CorpusPost]]:
    """Every post of every file, in order; raises ``UserError`` at the first bad line."""
    total = 0
    seen_ids: dict[str, str] = {}
    for name in names:
        label = "<stdin>" if name == "-" else name
        stream = open_input(name)
        posts = 0
        try:
            for number, raw in enumerate(_lines(stream), start=1):
                total += 1
                where = f"{label}:{number}"
                if total > MAX_CORPUS_LINES:
                    raise UserError(
                        f"{where}: more than {MAX_CORPUS_LINES:,} lines in the corpus;"
                        " split it and measure the parts"
                    )
                if raw is None:
                    raise UserError(f"{where}: line is longer than {MAX_LINE_BYTES:,} bytes")
                if not raw.strip():
                    continue  # blank lines separate groups of posts in hand-kept corpora
                post = _parse(raw, where)
                if post.id is not None:
                    if post.id in seen_ids:
                        raise UserError(
                            f"{where}: id {post.id!r} is already used at {seen_ids[post.id]}"
                        )
                    seen_ids[post.id] = where
                posts += 1
                yield PostRef(file=label, line=number, id=post.id), post
        except OSError as exc:
            raise UserError(f"cannot read {label}: {exc.strerror}") from None
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        if posts == 0:
            raise UserError(f"{label}: no posts; expected one JSON object a line: {SHAPE}")


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Lines without their newline; ``None`` for a line over the limit (its rest skipped)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(MAX_LINE_BYTES)
            yield None
            continue
        yield line.rstrip(b"\r\n")


def _parse(raw: bytes, where: str) -> CorpusPost:
    if b"\x00" in raw:
        raise UserError(f"{where}: contains NUL bytes; expected a JSON object")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{where}: not valid UTF-8 (bad byte at offset {exc.start})") from None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UserError(f"{where}: not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise UserError(f"{where}: JSON nested too deeply; expected {SHAPE}") from None
    if not isinstance(data, dict):
        raise UserError(f"{where}: expected a JSON object {SHAPE}")
    try:
        return CorpusPost.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"{where}: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
    kind = error["type"]
    if kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        return f"unknown key {path!r}; the keys are text, platform, expect, id, note, labelled_for"
    else:
        message = error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}" if path else message
