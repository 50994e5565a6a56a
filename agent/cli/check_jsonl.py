"""``postguard check --jsonl``: one draft per input line, one result per output line."""

from __future__ import annotations

import json
import sys
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.cli.check_input import decode_text, iter_lines, open_input, validate_text
from agent.engine.engine import Engine
from agent.engine.result import CheckResult, Platform, Verdict
from agent.errors import UserError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class JsonlItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    text: str
    platform: Platform | None = Field(default=None, strict=False)


def result_json(result: CheckResult, *, indent: int | None = None) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=indent)


def run_jsonl(engine: Engine, name: str, default_platform: Platform, now: datetime) -> int:
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
