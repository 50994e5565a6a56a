"""Exchanging the shared enrolment token for this device's own token, over HTTP.

``POST {collector}/services/collector/postguard/enrol`` with ``Authorization: Splunk
<enrolment token>`` and ``{"device_id", "user"}`` answers ``{"device_id", "device_token"}``.
A Splunk HEC has no such endpoint and answers 404: the enrolment token is then the HEC
token and is used as it is (Splunk cannot bind a token to a device).  Redirects are not
followed, as for uploads.
"""

from __future__ import annotations

import aiohttp
from pydantic import ValidationError

from agent.events.upload_wire import (
    AUTH_SCHEME,
    ENROL_PATH,
    HEC_PATH,
    EnrolAnswer,
    EnrolRequest,
    HecAnswer,
)


class EnrolmentRefused(Exception):
    """The collector said no (wrong token, device enrolled already, bad request)."""


class EnrolmentUnavailable(Exception):
    """No answer worth acting on (unreachable, timeout, 5xx, a redirect): try again later."""


def enrol_url(collector_url: str) -> str:
    base = collector_url.rstrip("/").removesuffix(HEC_PATH)
    return base + ENROL_PATH


async def request_device_token(
    session: aiohttp.ClientSession,
    collector_url: str,
    enrolment_token: str,
    *,
    device_id: str,
    user: str,
    current_token: str | None = None,
) -> str | None:
    """The device token the collector issues, or None when it issues none (a Splunk HEC).

    ``current_token`` proves this device holds its present token, for a rotation.
    """
    body = EnrolRequest(device_id=device_id, user=user, current_token=current_token)
    headers = {"Authorization": f"{AUTH_SCHEME} {enrolment_token}"}
    try:
        async with session.post(
            enrol_url(collector_url),
            data=body.model_dump_json(exclude_none=True),
            headers={**headers, "Content-Type": "application/json"},
            allow_redirects=False,
        ) as response:
            raw = await response.read()
            status = response.status
    except TimeoutError:
        raise EnrolmentUnavailable("the collector did not answer in time") from None
    except aiohttp.ClientError as exc:
        raise EnrolmentUnavailable(f"cannot reach the collector ({type(exc).__name__})") from None
    if status == 404:
        return None
    if 300 <= status < 400:
        raise EnrolmentUnavailable(
            f"the collector answered HTTP {status} (a redirect, not followed)"
        )
    if status == 200:
        try:
            answer = EnrolAnswer.model_validate_json(raw)
        except ValidationError:
            raise EnrolmentUnavailable("the collector's enrolment answer is unreadable") from None
        if answer.device_id != device_id:
            raise EnrolmentRefused("the collector issued a token for another device")
        token = answer.device_token
        if not token.isascii() or not token.isprintable() or " " in token:
            raise EnrolmentUnavailable(
                "the collector issued a token that cannot travel in a header"
            )
        return token
    what = _answer_text(raw)
    if status == 429 or status >= 500:
        raise EnrolmentUnavailable(f"the collector answered HTTP {status}{what}")
    raise EnrolmentRefused(f"the collector answered HTTP {status}{what}")


def _answer_text(raw: bytes) -> str:
    try:
        return f" {HecAnswer.model_validate_json(raw).text[:200]!r}"
    except ValidationError:
        return ""
