"""POST /v1/check: drafts short and long get the same answers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from agent_helpers import post
from aiohttp.test_utils import TestClient

CODENAME = "Project Nightingale"


def padded(length: int) -> str:
    """``length`` characters of everyday text ending in the codename."""
    filler = "We shipped the quarterly update today and the team is proud. "
    head = (filler * (length // len(filler) + 1))[: length - len(CODENAME) - 1]
    return f"{head} {CODENAME}"


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(200, id="short"),
        pytest.param(3_000, id="a full LinkedIn post"),
        pytest.param(60_000, id="long"),
    ],
)
async def test_the_codename_is_found_wherever_the_check_runs(
    client: TestClient[Any, Any], token: str, length: int
) -> None:
    text = padded(length)
    assert len(text) == length
    response = await post(client, "/v1/check", {"text": text, "platform": "linkedin"}, token)
    assert response.status == 200
    body = await response.json()
    assert [(f["rule_id"], f["start"], f["end"]) for f in body["findings"]] == [
        ("confidential.codename", length - len(CODENAME), length)
    ]
    assert body["elapsed_ms"] >= 0


async def test_successful_checks_log_at_debug_and_refusals_at_info(
    client: TestClient[Any, Any], token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, "aiohttp.access")
    await post(client, "/v1/check", {"text": "hello", "platform": "x"}, token)
    await post(client, "/v1/check", {"text": "hello", "platform": "x"})  # no token: 401
    await post(client, "/v1/status", {}, token)
    lines = [(r.levelno, r.getMessage().rsplit(" ", 1)[0]) for r in caplog.records]
    assert lines == [
        (logging.DEBUG, "POST /v1/check 200"),
        (logging.INFO, "POST /v1/check 401"),
        (logging.INFO, "POST /v1/status 200"),
    ]


async def test_at_info_a_successful_check_writes_no_line(
    client: TestClient[Any, Any], token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "aiohttp.access")
    await post(client, "/v1/check", {"text": "hello", "platform": "x"}, token)
    await client.get("/v1/check")  # a refusal on the quiet route: 405
    await post(client, "/v1/check", {"text": "hello", "platform": "x"})  # no token: 401
    lines = [(r.levelno, r.getMessage().rsplit(" ", 1)[0]) for r in caplog.records]
    assert lines == [
        (logging.INFO, "GET - 405"),  # a refused method names no route
        (logging.INFO, "POST /v1/check 401"),
    ]


async def test_a_body_the_fast_parser_refuses_gets_the_usual_answer(
    client: TestClient[Any, Any], token: str
) -> None:
    # A lone surrogate escape: Python's json reads it, then the model refuses the string.
    raw = b'{"text": "a \\ud800 b", "platform": "x"}'
    response = await client.post(
        "/v1/check",
        data=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith("text: ")
