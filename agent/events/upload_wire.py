"""The upload wire format: Splunk HTTP Event Collector (HEC) event batches.

A batch is ``POST {collector}/services/collector/event`` with
``Authorization: Splunk <token>`` and a gzip body of concatenated JSON objects,
one HEC envelope per event.  The same bytes are accepted by Splunk's HEC and by
``postguard collector serve``; docs/events.md is the reference for operators.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterable, Iterator
from enum import IntEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

HEC_PATH: Final = "/services/collector/event"
HEC_HEALTH_PATH: Final = "/services/collector/health"
# Not part of HEC: where ``postguard collector serve`` exchanges an enrolment token for a
# device token.  Under the HEC prefix, so a proxy that forwards HEC forwards it too; Splunk
# answers 404 there, which tells the agent to use the enrolment token as its HEC token.
ENROL_PATH: Final = "/services/collector/postguard/enrol"
DEVICE_TOKEN_PREFIX: Final = "pgd_"  # noqa: S105 -- a fixed prefix, not a secret
# Deeper than any envelope an agent sends (event > payload > findings > span is 4).
MAX_JSON_DEPTH: Final = 16
SOURCE: Final = "postguard"
SOURCETYPE: Final = "postguard:event"
AUTH_SCHEME: Final = "Splunk"


class HecCode(IntEnum):
    """HEC's documented answer codes (the subset a sender can meet)."""

    SUCCESS = 0
    TOKEN_DISABLED = 1
    TOKEN_REQUIRED = 2
    INVALID_AUTHORIZATION = 3
    INVALID_TOKEN = 4
    NO_DATA = 5
    INVALID_DATA_FORMAT = 6
    INCORRECT_INDEX = 7
    INTERNAL_ERROR = 8
    SERVER_BUSY = 9
    EVENT_FIELD_REQUIRED = 12
    EVENT_FIELD_BLANK = 13
    HEALTHY = 17


HEC_TEXT: Final[dict[HecCode, str]] = {
    HecCode.SUCCESS: "Success",
    HecCode.TOKEN_DISABLED: "Token disabled",
    HecCode.TOKEN_REQUIRED: "Token is required",
    HecCode.INVALID_AUTHORIZATION: "Invalid authorization",
    HecCode.INVALID_TOKEN: "Invalid token",
    HecCode.NO_DATA: "No data",
    HecCode.INVALID_DATA_FORMAT: "Invalid data format",
    HecCode.INCORRECT_INDEX: "Incorrect index",
    HecCode.INTERNAL_ERROR: "Internal server error",
    HecCode.SERVER_BUSY: "Server is busy",
    HecCode.EVENT_FIELD_REQUIRED: "Event field is required",
    HecCode.EVENT_FIELD_BLANK: "Event field cannot be blank",
    HecCode.HEALTHY: "HEC is healthy",
}

HEC_HTTP_STATUS: Final[dict[HecCode, int]] = {
    HecCode.SUCCESS: 200,
    HecCode.TOKEN_DISABLED: 403,
    HecCode.TOKEN_REQUIRED: 401,
    HecCode.INVALID_AUTHORIZATION: 401,
    HecCode.INVALID_TOKEN: 403,
    HecCode.NO_DATA: 400,
    HecCode.INVALID_DATA_FORMAT: 400,
    HecCode.INCORRECT_INDEX: 400,
    HecCode.INTERNAL_ERROR: 500,
    HecCode.SERVER_BUSY: 503,
    HecCode.EVENT_FIELD_REQUIRED: 400,
    HecCode.EVENT_FIELD_BLANK: 400,
    HecCode.HEALTHY: 200,
}


class HecEnvelope(BaseModel):
    """One event as HEC expects it; ``event`` is the audit record, ``event_id`` included."""

    model_config = ConfigDict(extra="allow")

    time: float = Field(ge=0, description="epoch seconds of the recorded event")
    host: str = Field(description="the device id of the agent that recorded it")
    source: str = SOURCE
    sourcetype: str = SOURCETYPE
    event: dict[str, JsonValue]


class HecAnswer(BaseModel):
    """What HEC answers: ``{"text": "Success", "code": 0}``; errors may name the bad event."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    text: str
    code: int
    invalid_event_number: int | None = Field(default=None, alias="invalid-event-number")

    @classmethod
    def of(cls, code: HecCode, invalid_event_number: int | None = None) -> HecAnswer:
        return cls(text=HEC_TEXT[code], code=int(code), invalid_event_number=invalid_event_number)

    def body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


def encode_events(envelopes: Iterable[HecEnvelope]) -> bytes:
    """Concatenated compact JSON objects, newline-separated for readability in captures."""
    lines = (json.dumps(e.model_dump(mode="json"), separators=(",", ":")) for e in envelopes)
    return "\n".join(lines).encode("utf-8")


def gzip_body(raw: bytes) -> bytes:
    # mtime=0 keeps a retried batch byte-identical, which helps anyone diffing captures.
    return gzip.compress(raw, compresslevel=6, mtime=0)


class EnrolRequest(BaseModel):
    """The body of an enrolment: which device asks, for which user; ``current_token`` rotates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device_id: str = Field(min_length=1, max_length=64)
    user: str = Field(min_length=1, max_length=256)
    current_token: str | None = Field(default=None, max_length=256, repr=False)


class EnrolAnswer(BaseModel):
    """A device token, valid only for events of ``device_id``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    device_id: str = Field(min_length=1, max_length=64)
    device_token: str = Field(min_length=1, max_length=256, repr=False)


class WireFormatError(ValueError):
    """A batch that is not a sequence of HEC envelopes; ``index`` is the 0-based bad event."""

    def __init__(self, code: HecCode, index: int | None, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.index = index


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def iter_json_objects(text: str) -> Iterator[tuple[int, Any]]:
    """Split HEC's concatenated-JSON body: objects back to back, optional whitespace between.

    Hostile bodies are format errors, not crashes: nesting deep enough to exhaust the
    parser's recursion, an integer too long to convert, NaN/Infinity, a float that
    overflows to infinity.
    """
    decoder = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)
    pos, index, end = 0, 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n":
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, exc.msg) from None
        except RecursionError:
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, "nested too deeply") from None
        except ValueError as exc:  # an over-long integer, NaN, Infinity, 1e999
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, str(exc)) from None
        if json_depth(value) > MAX_JSON_DEPTH:
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, "nested too deeply")
        yield index, value
        index += 1


def decode_events(raw: bytes) -> list[HecEnvelope]:
    """Parse an (already decompressed) batch; raise WireFormatError naming the bad event."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise WireFormatError(HecCode.INVALID_DATA_FORMAT, 0, "body is not UTF-8") from None
    envelopes: list[HecEnvelope] = []
    for index, value in iter_json_objects(text):
        if not isinstance(value, dict):
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, "not a JSON object")
        if "event" not in value:
            raise WireFormatError(HecCode.EVENT_FIELD_REQUIRED, index, "no event field")
        if value["event"] in (None, "", {}, []):
            raise WireFormatError(HecCode.EVENT_FIELD_BLANK, index, "blank event field")
        try:
            envelopes.append(HecEnvelope.model_validate(value))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            detail = f"{where}: {first['msg']}"
            raise WireFormatError(HecCode.INVALID_DATA_FORMAT, index, detail) from None
    if not envelopes:
        raise WireFormatError(HecCode.NO_DATA, None, "empty body")
    return envelopes


def event_id_of(envelope: HecEnvelope) -> str | None:
    value = envelope.event.get("event_id")
    return value if isinstance(value, str) and value else None
