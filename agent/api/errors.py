"""Every error the API can answer with: a closed set of codes, each with its HTTP status.

Handlers raise :class:`ApiError` with one of these codes; the error middleware turns it
into ``{"error": {"code", "message"}}``.  docs/api.md lists every code (a test checks it).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class ErrorCode(StrEnum):
    MISSING_HOST = "missing_host"
    BAD_HOST = "bad_host"
    BAD_ORIGIN = "bad_origin"
    QUERY_NOT_ALLOWED = "query_not_allowed"
    BAD_CONTENT_TYPE = "bad_content_type"
    BAD_CONTENT_ENCODING = "bad_content_encoding"
    TOO_LARGE = "too_large"
    BAD_JSON = "bad_json"
    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BAD_CODE = "bad_code"
    TEXT_TOO_LONG = "text_too_long"
    BAD_REASON = "bad_reason"
    JUSTIFICATION_TOO_SHORT = "justification_too_short"
    JUSTIFICATION_TOO_LONG = "justification_too_long"
    JUSTIFICATION_REJECTED = "justification_rejected"
    COMMENT_REJECTED = "comment_rejected"
    UNKNOWN_RULE = "unknown_rule"
    RULE_NOT_ACTIVE = "rule_not_active"
    VERSION_MISMATCH = "version_mismatch"
    NOT_OVERRIDABLE = "not_overridable"
    NOT_RECORDED = "not_recorded"
    BUSY = "busy"
    TIMEOUT = "timeout"
    INTERNAL = "internal"


STATUS: Final[dict[ErrorCode, int]] = {
    ErrorCode.MISSING_HOST: 400,
    ErrorCode.BAD_HOST: 403,
    ErrorCode.BAD_ORIGIN: 403,
    ErrorCode.QUERY_NOT_ALLOWED: 400,
    ErrorCode.BAD_CONTENT_TYPE: 415,
    ErrorCode.BAD_CONTENT_ENCODING: 415,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.BAD_JSON: 400,
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.BAD_CODE: 403,
    ErrorCode.TEXT_TOO_LONG: 422,
    ErrorCode.BAD_REASON: 422,
    ErrorCode.JUSTIFICATION_TOO_SHORT: 422,
    ErrorCode.JUSTIFICATION_TOO_LONG: 422,
    ErrorCode.JUSTIFICATION_REJECTED: 422,
    ErrorCode.COMMENT_REJECTED: 422,
    ErrorCode.UNKNOWN_RULE: 422,
    ErrorCode.RULE_NOT_ACTIVE: 422,
    ErrorCode.VERSION_MISMATCH: 409,
    ErrorCode.NOT_OVERRIDABLE: 403,
    ErrorCode.NOT_RECORDED: 503,
    ErrorCode.BUSY: 503,
    ErrorCode.TIMEOUT: 503,
    ErrorCode.INTERNAL: 500,
}


class ApiError(Exception):
    def __init__(
        self, code: ErrorCode, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = STATUS[code]
        self.message = message
        self.headers = headers or {}
