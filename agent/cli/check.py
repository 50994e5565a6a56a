"""``postguard check``: check a draft (or a JSON-lines archive of drafts) against packs."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.cli.check_input import decode_text, iter_lines, open_input, read_text, validate_text
from agent.cli.check_report import render_text
from agent.engine.engine import Engine
from agent.engine.result import CheckResult, Platform, Verdict
from agent.errors import UserError
from agent.paths import BUNDLED_PACKS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class JsonlItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    platform: Platform | None = Field(default=None, strict=False)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a draft post against policy packs",
        description=(
            "Check a draft against policy packs. Exit 0 when nothing is at warn or above,"
            " 1 when something is, 2 on a usage, input or pack error."
        ),
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="draft (- = stdin)")
    parser.add_argument(
        "--platform", choices=[p.value for p in Platform], default=Platform.LINKEDIN.value
    )
    parser.add_argument(
        "--pack",
        dest="packs",
        action="append",
        type=Path,
        metavar="DIR",
        help="pack directory, in layer order; repeatable (default: the bundled packs)",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='read one {"text", "platform"} object per line, write one result per line',
    )
    parser.add_argument(
        "--now",
        type=parse_time,
        default=None,
        metavar="TIME",
        help="ISO 8601 time that decides time-bound rules (default: now)",
    )
    parser.set_defaults(func=run)


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time (e.g. 2026-12-20T09:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    dirs = args.packs or list(BUNDLED_PACKS)
    now: datetime = args.now or datetime.now(UTC)
    platform = Platform(args.platform)
    if args.jsonl:
        engine = Engine.from_dirs(dirs)
        return _run_jsonl(engine, args.file, platform, now)
    text = read_text(args.file)
    engine = Engine.from_dirs(dirs)
    result = engine.check(text, platform, now)
    if args.format == "json":
        print(result_json(result, indent=2))
    else:
        name = "-" if args.file == "-" else args.file
        print(render_text(text, result, name=name))
    return EXIT_OK if result.verdict is Verdict.OK else EXIT_FINDINGS


def result_json(result: CheckResult, *, indent: int | None = None) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def _run_jsonl(engine: Engine, name: str, default_platform: Platform, now: datetime) -> int:
    stream = open_input(name)
    errors = 0
    flagged = 0
    try:
        for number, raw in enumerate(iter_lines(stream), start=1):
            try:
                text, platform = _parse_line(raw, default_platform)
            except UserError as exc:
                errors += 1
                print(json.dumps({"error": {"line": number, "message": exc.message}}))
                continue
            result = engine.check(text, platform, now)
            flagged += result.verdict is not Verdict.OK
            print(result_json(result), flush=False)
    except BrokenPipeError:
        raise  # the reader of stdout went away; main() exits quietly
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror}") from None
    finally:
        sys.stdout.flush()
        if stream is not sys.stdin.buffer:
            stream.close()
    if errors:
        print(f"postguard: {errors} input line(s) could not be checked", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_FINDINGS if flagged else EXIT_OK


def _parse_line(raw: bytes | None, default_platform: Platform) -> tuple[str, Platform]:
    if raw is None:
        raise UserError("line is too long")
    line = decode_text(raw, what="line") if raw.strip() else ""
    if not line:
        raise UserError('empty line; expected {"text": ..., "platform": ...}')
    try:
        item = JsonlItem.model_validate_json(line)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise UserError(f'expected {{"text": ..., "platform": "linkedin"|"x"}}: {detail}') from None
    validate_text(item.text, what="text")
    return item.text, item.platform or default_platform
