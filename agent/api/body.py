"""Reading a request body into a model, and writing a model back: the only JSON codec here."""

from __future__ import annotations

import json
from typing import Final, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from agent.api.errors import ApiError, ErrorCode

M = TypeVar("M", bound=BaseModel)

# ``\uXXXX``: what JSON.stringify spends on a control character or a lone surrogate; it
# sends everything else as raw UTF-8, 1 to 4 bytes.  (A client that escapes a character
# beyond the BMP spends 12, as a surrogate pair; budgeting for that would let a 1 MiB body
# through, which the threat model refuses.)
JSON_BYTES_PER_CHAR: Final = 6
# Room for the rest of a body: /v1/check's platform and url, an override's reason and
# justification (up to 10,000 characters), and the JSON around them.
OTHER_FIELDS_BYTES: Final = 64 * 1024


def max_body_bytes(max_text_chars: int) -> int:
    """The request body cap: any draft within ``max_text_chars`` fits as a browser sends it.

    So a long text is refused by the text check (422 ``text_too_long``, which says why), not
    by the body cap; the cap only bounds what one request can make the agent read.
    """
    return JSON_BYTES_PER_CHAR * max_text_chars + OTHER_FIELDS_BYTES


async def parse(request: web.Request, model: type[M]) -> M:
    """The body as ``model``; errors say where and what, never echoing the sent value."""
    raw = await request.read()  # aiohttp enforces client_max_size → 413
    try:
        # pydantic's own JSON parser in one step; anything it refuses (including what
        # Python's json accepts, such as a lone surrogate escape) takes the path below, which
        # decides the outcome and phrases the error exactly as before.
        return model.model_validate_json(raw)
    except ValidationError:
        pass
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except UnicodeDecodeError:
        raise ApiError(ErrorCode.BAD_JSON, "the body is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            ErrorCode.BAD_JSON, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        # No request of ours nests more than a few levels; the C parser stops at the
        # interpreter's recursion limit long before the stack runs out.
        raise ApiError(ErrorCode.BAD_JSON, "invalid JSON: nested too deeply") from None
    except ValueError:
        # An integer of more digits than Python converts (sys.get_int_max_str_digits).
        raise ApiError(ErrorCode.BAD_JSON, "invalid JSON: a number is too long") from None
    if not isinstance(data, dict):
        raise ApiError(ErrorCode.INVALID_REQUEST, "the body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(ErrorCode.INVALID_REQUEST, _first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown field"
    return f"{where}: {error['msg']}"


def reply(model: BaseModel, status: int = 200) -> web.Response:
    # The serializer's bytes as they are: model_dump_json would decode them to str first.
    body = model.__pydantic_serializer__.to_json(model)
    return web.Response(body=body, status=status, content_type="application/json")
