"""SECURITY.md threats 4, 5 and 8: token guessing, port squatters, slow clients; pairing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import auth, build_app, make_settings, post, serve_app
from aiohttp import web
from aiohttp.test_utils import TestClient

from agent.api.keys import TOKEN
from agent.config import Settings
from agent.security.pairing import MAX_FAILURES, PairingCodes, issue_code

# -- threat 4: token guessing or leaking ----------------------------------------------------


async def test_a_thousand_wrong_tokens_get_429(client: TestClient[Any, Any], token: str) -> None:
    statuses = []
    for _ in range(1000):
        guess = secrets.token_urlsafe(32)
        response = await post(client, "/v1/status", {}, guess)
        statuses.append(response.status)
    assert statuses[0] == 401
    assert statuses[-1] == 429
    assert statuses.count(401) <= 25
    # While locked out even the right token is not checked, so a guesser learns nothing.
    locked = await post(client, "/v1/status", {}, token)
    assert locked.status == 429
    assert int(locked.headers["Retry-After"]) >= 1


async def test_the_token_never_reaches_a_log(
    client: TestClient[Any, Any], token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await post(client, "/v1/check", {"text": "hello", "platform": "x"}, token)
    await post(client, "/v1/status", {}, token)
    await post(client, f"/v1/check/{token}", {}, token)  # a client putting it in the URL
    await client.post(f"/v1/status?token={token}", json={})
    await post(client, "/v1/status", {}, token + "x")
    assert caplog.records, "the access log should have written something"
    assert token not in caplog.text


def test_tokens_are_long_and_random(app: web.Application, token: str) -> None:
    assert len(token) >= 43  # 32 random bytes, base64url


# -- threat 5: a process squatting the port -------------------------------------------------


def _expected_proof(token: str, nonce: str) -> str:
    message = ("postguard-agent-proof:" + nonce).encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


async def test_the_agent_proves_it_holds_the_token(
    client: TestClient[Any, Any], token: str
) -> None:
    nonce = secrets.token_hex(16)
    response = await post(client, "/v1/challenge", {"nonce": nonce})  # no token sent
    assert response.status == 200
    proof = (await response.json())["proof"]
    assert hmac.compare_digest(proof, _expected_proof(token, nonce))
    # A squatter without the token cannot produce it; a client with a stale token notices.
    assert proof != _expected_proof("some-other-token", nonce)


async def test_challenge_nonce_must_be_long_enough(client: TestClient[Any, Any]) -> None:
    response = await post(client, "/v1/challenge", {"nonce": "short"})
    assert response.status == 422


# -- threat 8: slow clients ----------------------------------------------------------------


async def test_two_hundred_dribbling_clients_do_not_stop_a_real_check(
    client: TestClient[Any, Any], token: str
) -> None:
    port = client.port
    writers = []
    for _ in range(200):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: " % port)
        writers.append(writer)
    await asyncio.gather(*(w.drain() for w in writers))

    async def dribble() -> None:
        while True:
            for writer in writers:
                writer.write(b"a")
            await asyncio.sleep(0.05)

    dribbler = asyncio.create_task(dribble())
    try:
        started = time.perf_counter()
        response = await post(
            client, "/v1/check", {"text": "Project Nightingale", "platform": "x"}, token
        )
        elapsed = time.perf_counter() - started
        assert response.status == 200
        assert (await response.json())["verdict"] == "warn"
        # Blocked, it would wait for header_timeout_s (10 s); answered, it takes ~0.05 s.
        assert elapsed < 3.0, f"check took {elapsed:.2f}s behind slow clients"
    finally:
        dribbler.cancel()
        for writer in writers:
            writer.close()


async def test_a_slow_body_times_out(aiohttp_client: Any, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, request_timeout_s=0.3)
    app = build_app(settings)
    client = await serve_app(aiohttp_client, app)

    reader, writer = await asyncio.open_connection("127.0.0.1", client.port)
    writer.write(
        b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
        b'Authorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{"te'
        % (client.port, app[TOKEN].encode())
    )
    await writer.drain()
    reply = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    assert b" 503 " in reply.split(b"\r\n", 1)[0]
    assert b'"timeout"' in reply


# -- pairing --------------------------------------------------------------------------------


async def test_pairing_with_the_code_issues_a_new_token_once_and_retires_the_old(
    client: TestClient[Any, Any], settings: Settings, token: str
) -> None:
    code = issue_code(settings.data_dir).code
    response = await post(client, "/v1/pair", {"code": code.lower().replace("-", " ")})
    assert response.status == 200
    issued = (await response.json())["token"]
    assert issued != token and len(issued) >= 43
    again = await post(client, "/v1/pair", {"code": code})
    assert again.status == 403
    assert (await again.json())["error"]["code"] == "bad_code"
    # The token it handed out works; the one before it is retired.
    assert (await post(client, "/v1/status", {}, issued)).status == 200
    assert (await post(client, "/v1/status", {}, token)).status == 401


def test_pending_code_file_is_private_and_gone_once_used(settings: Settings) -> None:
    code = issue_code(settings.data_dir).code
    path = settings.data_dir / "pairing.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert PairingCodes(settings.data_dir).redeem(code)
    assert not path.exists()


def test_codes_expire_after_five_minutes(settings: Settings) -> None:
    start = datetime.now(UTC)
    code = issue_code(settings.data_dir, now=start).code
    codes = PairingCodes(settings.data_dir)
    assert not codes.redeem(code, now=start + timedelta(minutes=5, seconds=1))
    code = issue_code(settings.data_dir, now=start).code
    assert codes.redeem(code, now=start + timedelta(minutes=4, seconds=59))


def test_a_code_is_withdrawn_after_repeated_wrong_guesses(settings: Settings) -> None:
    code = issue_code(settings.data_dir).code
    codes = PairingCodes(settings.data_dir)
    for _ in range(MAX_FAILURES):
        assert not codes.redeem("AAAA-AAAA")
    assert not codes.redeem(code)


async def test_pairing_attempts_are_rate_limited(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    issue_code(settings.data_dir)
    statuses = [
        (await post(client, "/v1/pair", {"code": f"WRONG{i:03d}"})).status for i in range(8)
    ]
    assert statuses[:5] == [403] * 5
    assert statuses[-1] == 429


async def test_wrong_token_scheme_is_refused(client: TestClient[Any, Any], token: str) -> None:
    response = await client.post("/v1/status", json={}, headers={"Authorization": f"Basic {token}"})
    assert response.status == 401
    response = await client.post("/v1/status", json={}, headers=auth(token))
    assert response.status == 200
