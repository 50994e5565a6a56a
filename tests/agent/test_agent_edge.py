"""SECURITY.md threats 1, 2, 3, 7 and 8: who may call, and what a refused request gets."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import (
    EXTENSION_ORIGIN,
    audit_count,
    auth,
    build_app,
    make_settings,
    override_body,
    post,
    serve_app,
)
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.body import max_body_bytes
from agent.api.keys import SLOTS, TOKEN
from agent.config import Settings

# -- threat 1: DNS rebinding ---------------------------------------------------------------


async def test_foreign_host_is_refused_and_nothing_is_recorded(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    port = client.port
    response = await post(
        client, "/v1/overrides", override_body(), token, Host=f"evil.example:{port}"
    )
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "bad_host"
    assert audit_count(app) == 0


async def test_loopback_hosts_are_allowed(client: TestClient[Any, Any]) -> None:
    port = client.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        response = await client.get("/v1/health", headers={"Host": host})
        assert response.status == 200, host
    for host in ("127.0.0.1", f"127.0.0.1:{port + 1}", f"127.0.0.2:{port}", "localhost.evil"):
        response = await client.get("/v1/health", headers={"Host": host})
        assert response.status == 403, host


async def _raw(client: TestClient[Any, Any], request: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(request)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    return data


async def test_missing_host_is_a_400(client: TestClient[Any, Any]) -> None:
    # HTTP/1.1 requires Host: aiohttp's parser refuses the request before the app sees it.
    reply = await _raw(client, b"GET /v1/health HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert reply.split(b" ", 2)[1] == b"400"
    assert b'"status":"ok"' not in reply
    # HTTP/1.0 may omit it, so the agent's own check answers.
    reply = await _raw(client, b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert reply.split(b" ", 2)[1] == b"400"
    assert b"missing_host" in reply


async def test_two_host_headers_are_refused(client: TestClient[Any, Any]) -> None:
    port = client.port
    request = (
        f"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    reply = await _raw(client, request)
    assert reply.split(b" ", 2)[1] in (b"400", b"403")
    assert b'"status":"ok"' not in reply


# -- threat 2: CSRF ---------------------------------------------------------------------------


async def test_simple_text_plain_post_from_a_web_page_is_refused(
    client: TestClient[Any, Any], app: web.Application
) -> None:
    response = await client.post(
        "/v1/overrides",
        data=json.dumps(override_body()),
        headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
    )
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "bad_origin"
    assert audit_count(app) == 0


async def test_text_plain_without_origin_is_still_refused(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    response = await client.post(
        "/v1/overrides",
        data=json.dumps(override_body()),
        headers={"Content-Type": "text/plain", **auth(token)},
    )
    assert response.status == 415
    assert (await response.json())["error"]["code"] == "bad_content_type"
    assert audit_count(app) == 0


async def test_another_extension_is_refused_even_with_the_token(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    response = await post(
        client, "/v1/overrides", override_body(), token, Origin="chrome-extension://other"
    )
    assert response.status == 403
    assert audit_count(app) == 0
    response = await post(client, "/v1/overrides", override_body(), token, Origin="null")
    assert response.status == 403


async def test_our_extension_with_the_token_is_served(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    response = await post(client, "/v1/overrides", override_body(), token, Origin=EXTENSION_ORIGIN)
    assert response.status == 200
    assert audit_count(app) == 1


# -- threat 3: reading responses, probing the packs ------------------------------------------


async def test_preflight_gets_no_cors_or_private_network_headers(
    client: TestClient[Any, Any],
) -> None:
    response = await client.options(
        "/v1/check",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status >= 400
    for name in response.headers:
        assert not name.lower().startswith("access-control-"), name
    response = await client.options(
        "/v1/check",
        headers={
            "Origin": EXTENSION_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert not [n for n in response.headers if n.lower().startswith("access-control-")]


async def test_unauthenticated_check_gets_a_generic_401(client: TestClient[Any, Any]) -> None:
    response = await post(client, "/v1/check", {"text": "project nightingale", "platform": "x"})
    assert response.status == 401
    body = await response.json()
    assert body == {"error": {"code": "unauthorized", "message": "authentication required"}}
    wrong = await post(client, "/v1/check", {"text": "hello", "platform": "x"}, "not-the-token")
    assert await wrong.json() == body  # the same answer whatever the draft matched


async def test_every_endpoint_but_health_pair_challenge_needs_the_token(
    client: TestClient[Any, Any],
) -> None:
    for path in (
        "/v1/check",
        "/v1/overrides",
        "/v1/feedback",
        "/v1/acknowledge",
        "/v1/policy",
        "/v1/status",
    ):
        response = await post(client, path, {})
        assert response.status == 401, path


async def test_health_says_nothing_but_ok_and_no_server_header(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get("/v1/health")
    assert await response.json() == {"status": "ok"}
    assert "Server" not in response.headers
    refused = await post(client, "/v1/status", {})
    assert "Server" not in refused.headers
    missing = await client.get("/nope")
    assert missing.status == 404
    assert "Server" not in missing.headers
    assert (await missing.json())["error"]["code"] == "not_found"


# -- threat 7: oversized or malformed bodies -------------------------------------------------


async def test_one_mebibyte_body_is_a_413(client: TestClient[Any, Any], token: str) -> None:
    big = io.BytesIO(json.dumps({"text": "a" * (1 << 20), "platform": "x"}).encode())
    response = await client.post(
        "/v1/check", data=big, headers={"Content-Type": "application/json", **auth(token)}
    )
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "too_large"


async def test_without_the_token_a_large_body_is_never_read(
    client: TestClient[Any, Any],
) -> None:
    # docs/api.md's order: the token is checked before the body is read.
    big = io.BytesIO(json.dumps({"text": "a" * (1 << 20), "platform": "x"}).encode())
    response = await client.post(
        "/v1/check", data=big, headers={"Content-Type": "application/json"}
    )
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "unauthorized"


def _check_body_of(size: int) -> bytes:
    """A /v1/check body of exactly ``size`` bytes, its text all ASCII."""
    head, tail = b'{"text": "', b'", "platform": "x"}'
    return head + b"a" * (size - len(head) - len(tail)) + tail


async def test_the_body_cap_follows_max_text_chars(
    client: TestClient[Any, Any], settings: Settings, token: str
) -> None:
    cap = max_body_bytes(settings.max_text_chars)
    headers = {"Content-Type": "application/json", **auth(token)}
    over = await client.post("/v1/check", data=_check_body_of(cap + 1), headers=headers)
    assert over.status == 413
    assert (await over.json())["error"]["code"] == "too_large"
    # One byte less is read and checked: its text is simply too long.
    at_cap = await client.post("/v1/check", data=_check_body_of(cap), headers=headers)
    assert at_cap.status == 422
    assert (await at_cap.json())["error"]["code"] == "text_too_long"


async def test_text_over_the_limit_is_refused(client: TestClient[Any, Any], token: str) -> None:
    response = await post(client, "/v1/check", {"text": "a" * 100_001, "platform": "x"}, token)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error == {"code": "text_too_long", "message": "text is longer than 100000 characters"}
    ok = await post(client, "/v1/check", {"text": "a" * 100_000, "platform": "x"}, token)
    assert ok.status == 200


@pytest.mark.parametrize(
    ("filler", "ensure_ascii"),
    [
        pytest.param("字", False, id="3-byte-utf8"),
        pytest.param("😀", False, id="4-byte-utf8"),  # one character, two UTF-16 units
        pytest.param("\x01", True, id="escaped-control"),  # six bytes in JSON
    ],
)
async def test_a_full_length_text_is_checked_however_it_is_spelled(
    client: TestClient[Any, Any], token: str, filler: str, ensure_ascii: bool
) -> None:
    """100,000 characters as a browser sends them: raw UTF-8, or ``\\uXXXX`` escapes."""
    lead = "Project Nightingale "
    text = lead + filler * (100_000 - len(lead))
    body = json.dumps({"text": text, "platform": "x"}, ensure_ascii=ensure_ascii).encode()
    assert len(body) > 256 * 1024  # more than a fixed 256 KiB cap would admit
    response = await client.post(
        "/v1/check", data=body, headers={"Content-Type": "application/json", **auth(token)}
    )
    assert response.status == 200, await response.text()
    findings = (await response.json())["findings"]
    assert [(f["rule_id"], f["start"], f["end"]) for f in findings] == [
        ("confidential.codename", 0, len(lead) - 1)
    ]


async def test_unknown_field_is_a_422(client: TestClient[Any, Any], token: str) -> None:
    response = await post(
        client, "/v1/check", {"text": "hi", "platform": "x", "debug": True}, token
    )
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "invalid_request"
    assert "debug" in error["message"]


async def test_invalid_json_is_a_400_with_a_message(
    client: TestClient[Any, Any], token: str
) -> None:
    response = await client.post(
        "/v1/check",
        data=b'{"text": "hi", "platform": ',
        headers={"Content-Type": "application/json", **auth(token)},
    )
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "bad_json"
    assert "invalid JSON" in error["message"]
    bad_utf8 = await client.post(
        "/v1/check",
        data=b'{"text": "\xff\xfe", "platform": "x"}',
        headers={"Content-Type": "application/json", **auth(token)},
    )
    assert bad_utf8.status == 400
    assert "UTF-8" in (await bad_utf8.json())["error"]["message"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"[" * 100_000, "nested too deeply", id="100k-brackets"),
        pytest.param(
            b'{"text": "hi", "platform": "x", "n": [' * 2_000, "nested", id="deep-objects"
        ),
        pytest.param(
            b'{"text": "hi", "platform": "x", "n": ' + b"7" * 5_000 + b"}",
            "number is too long",
            id="5000-digit-number",
        ),
    ],
)
async def test_hostile_json_is_a_400_not_an_internal_error(
    client: TestClient[Any, Any], token: str, body: bytes, message: str
) -> None:
    for path in ("/v1/check", "/v1/overrides"):
        response = await client.post(
            path, data=body, headers={"Content-Type": "application/json", **auth(token)}
        )
        assert response.status == 400, (path, await response.text())
        error = (await response.json())["error"]
        assert error["code"] == "bad_json"
        assert message in error["message"]
    # Nothing was left half-done: the next request is served.
    ok = await post(client, "/v1/check", {"text": "hi", "platform": "x"}, token)
    assert ok.status == 200


async def test_query_strings_and_compressed_bodies_are_refused(
    client: TestClient[Any, Any], token: str
) -> None:
    response = await post(client, "/v1/check?text=x", {"text": "hi", "platform": "x"}, token)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "query_not_allowed"
    response = await client.post(
        "/v1/check",
        data=gzip.compress(b'{"text": "hi", "platform": "x"}'),
        headers={
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            **auth(token),
        },
    )
    assert response.status == 415
    assert (await response.json())["error"]["code"] == "bad_content_encoding"


async def test_a_second_content_encoding_header_is_refused_too(
    client: TestClient[Any, Any], app: web.Application, token: str
) -> None:
    # The HTTP parser decodes by the last Content-Encoding; the edge checks every one.
    body = gzip.compress(json.dumps(override_body()).encode())
    port = client.port
    for encodings in (("identity", "gzip"), ("gzip", "identity"), ("identity, gzip",)):
        headers = "".join(f"Content-Encoding: {value}\r\n" for value in encodings)
        reply = await _raw(
            client,
            (
                f"POST /v1/overrides HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + body,
        )
        assert reply.split(b" ", 2)[1] == b"415", (encodings, reply[:200])
        assert b"bad_content_encoding" in reply
    assert audit_count(app) == 0


async def test_validation_errors_never_echo_the_text(
    client: TestClient[Any, Any], token: str
) -> None:
    response = await post(
        client, "/v1/check", {"text": "SECRET-CANARY-1", "platform": "myspace"}, token
    )
    assert response.status == 422
    assert "SECRET-CANARY-1" not in await response.text()


async def test_with_every_slot_taken_a_request_waits_then_is_busy(
    tmp_path: Path, aiohttp_client: Any
) -> None:
    # Long enough that a stalled machine still serves the waiting request within it.
    app = build_app(make_settings(tmp_path, max_concurrent_requests=1, request_timeout_s=1.5))
    client = await serve_app(aiohttp_client, app)
    body = {"text": "hello", "platform": "x"}
    await app[SLOTS].acquire()  # what a request in progress holds
    waited = asyncio.create_task(post(client, "/v1/check", body, app[TOKEN]))
    await asyncio.sleep(0.05)
    app[SLOTS].release()  # freed within the timeout: the waiting request is served
    assert (await waited).status == 200
    await app[SLOTS].acquire()
    refused = await post(client, "/v1/check", body, app[TOKEN])
    assert refused.status == 503
    assert (await refused.json())["error"]["code"] == "busy"
    app[SLOTS].release()
    assert (await post(client, "/v1/check", body, app[TOKEN])).status == 200
