"""SECURITY.md threat 14 on the agent's side: pairing is mutual, tokens rotate and are revoked.

The real app on a real loopback port; the extension's half of the exchange in Python
(pairing_support.py), computing what extension/background/pairing.js computes (both are
held to extension/tests/pairing_vectors.json).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from agent_helpers import build_app, post, serve_app
from aiohttp import web
from aiohttp.test_utils import TestClient
from keyring.backends.fail import Keyring as FailKeyring
from pairing_support import Exchange, pair_like_the_extension

from agent.api.routes import ROUTES
from agent.config import Settings
from agent.security import pairing_proof
from agent.security.challenge import proof
from agent.security.pairing import MAX_SESSIONS, issue_code
from agent.security.secrets import TOKEN, SecretStore
from agent.security.tokens import RECORD_FILE, TokenBook

VECTORS = Path(__file__).resolve().parents[2] / "extension" / "tests" / "pairing_vectors.json"
PUBLIC = {"/v1/health", "/v1/pair", "/v1/challenge"}


def _poster(client: TestClient[Any, Any]) -> Any:
    async def send(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = await post(client, path, body)
        return response.status, await response.json()

    return send


def _address(client: TestClient[Any, Any]) -> str:
    return f"127.0.0.1:{client.port}"


async def _pair(client: TestClient[Any, Any], code: str, address: str | None = None) -> Exchange:
    return await pair_like_the_extension(_poster(client), code, address or _address(client))


async def _statuses(client: TestClient[Any, Any], token: str) -> dict[str, int]:
    """The status of every authenticated endpoint for ``token`` (an empty body each)."""
    out = {}
    for method, path, _ in ROUTES:
        if path in PUBLIC:
            continue
        response = await client.request(
            method, path, json={}, headers={"Authorization": f"Bearer {token}"}
        )
        out[path] = response.status
    return out


def _store(settings: Settings) -> SecretStore:
    return SecretStore(settings.config_dir, backend=FailKeyring())


def test_python_matches_the_extensions_test_vectors() -> None:
    v = json.loads(VECTORS.read_text())
    keys = pairing_proof.derive_keys(v["code"], v["nonce"])
    exchange = pairing_proof.transcript(v["address"], v["nonce"], v["agent_nonce"])
    assert v["iterations"] == pairing_proof.ITERATIONS
    assert exchange.decode() == v["transcript"]
    assert (keys.extension.hex(), keys.agent.hex(), keys.token.hex()) == (
        v["keys"]["extension"],
        v["keys"]["agent"],
        v["keys"]["token"],
    )
    assert pairing_proof.extension_proof(keys, exchange) == v["extension_proof"]
    assert pairing_proof.agent_proof(keys, exchange, v["token"]) == v["agent_proof"]
    sealed = pairing_proof.seal_token(keys, exchange, v["token"], iv=bytes.fromhex(v["iv"]))
    assert sealed.sealed_token == v["sealed_token"]


async def test_the_exchange_pairs_without_the_code_or_the_token_in_clear(
    client: TestClient[Any, Any], settings: Settings, token: str
) -> None:
    code = issue_code(settings.data_dir).code
    exchange = await _pair(client, code)
    assert exchange.prove is not None and exchange.prove[0] == 200
    assert exchange.token is not None, "the agent's answer proves it knows the code"
    wire = json.dumps([exchange.sent, exchange.hello, exchange.prove])
    assert code.replace("-", "") not in wire and code not in wire
    assert exchange.token not in wire, "the token travels sealed"
    assert not (settings.data_dir / "pairing.json").exists(), "the code is used up"
    assert (await post(client, "/v1/status", {}, exchange.token)).status == 200
    assert (await post(client, "/v1/status", {}, token)).status == 401
    # The challenge of later sessions proves the new token.
    nonce = secrets.token_hex(16)
    answer = await (await post(client, "/v1/challenge", {"nonce": nonce})).json()
    assert answer["proof"] == proof(exchange.token, nonce)


async def test_a_caller_without_the_code_gets_nothing(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    code = issue_code(settings.data_dir).code
    exchange = await _pair(client, "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB")
    assert exchange.prove is not None
    status, answer = exchange.prove
    assert (status, answer["error"]["code"]) == (403, "bad_code")
    assert set(answer) == {"error"}
    # The code is still good for the employee's extension.
    assert (await _pair(client, code)).token is not None


async def test_hello_without_a_pending_code_is_refused(client: TestClient[Any, Any]) -> None:
    exchange = await _pair(client, "K7QM-3XTP")
    assert exchange.hello[0] == 403
    assert exchange.hello[1]["error"]["code"] == "bad_code"


async def test_a_proof_cannot_be_replayed(client: TestClient[Any, Any], settings: Settings) -> None:
    code = issue_code(settings.data_dir).code
    first = await _pair(client, code)
    assert first.token is not None
    issue_code(settings.data_dir)  # even with a new code pending, the old exchange is spent
    status, _ = await _poster(client)("/v1/pair", first.sent[1])
    assert status == 403


async def test_a_proof_captured_by_a_squatter_is_useless_at_the_agent(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    """A squatter got the extension's proof for its own agent nonce, then replays it here."""
    code = issue_code(settings.data_dir).code
    nonce = secrets.token_hex(32)
    squatter_nonce = secrets.token_hex(32)
    keys = pairing_proof.derive_keys(code.replace("-", ""), nonce)
    captured = {
        "step": "prove",
        "nonce": nonce,
        "agent_nonce": squatter_nonce,
        "proof": pairing_proof.extension_proof(
            keys, pairing_proof.transcript(_address(client), nonce, squatter_nonce)
        ),
    }
    assert (await post(client, "/v1/pair", captured)).status == 403
    # Nor with a session of its own opened for the same extension nonce.
    opened = await (await post(client, "/v1/pair", {"step": "hello", "nonce": nonce})).json()
    replay = {**captured, "agent_nonce": opened["agent_nonce"]}
    assert (await post(client, "/v1/pair", replay)).status == 403


async def test_a_proof_made_for_another_port_is_refused(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    """What a relay from the extension's port to the agent's real port would send."""
    code = issue_code(settings.data_dir).code
    exchange = await _pair(client, code, address=f"127.0.0.1:{(client.port or 0) + 1}")
    assert exchange.prove is not None and exchange.prove[0] == 403
    assert exchange.token is None


async def test_sessions_are_few_and_single_use(
    client: TestClient[Any, Any], settings: Settings
) -> None:
    issue_code(settings.data_dir)
    nonce = secrets.token_hex(32)
    first = await (await post(client, "/v1/pair", {"step": "hello", "nonce": nonce})).json()
    for _ in range(MAX_SESSIONS):
        await post(client, "/v1/pair", {"step": "hello", "nonce": secrets.token_hex(32)})
    pushed_out = {"step": "prove", "nonce": nonce, "agent_nonce": first["agent_nonce"]}
    response = await post(client, "/v1/pair", {**pushed_out, "proof": "0" * 64})
    assert response.status == 403
    assert "expired" in (await response.json())["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"step": "hello"},
        {"step": "hello", "nonce": "short"},
        {"step": "prove", "nonce": "a" * 64, "agent_nonce": "b" * 64},
        {"step": "prove", "nonce": "a" * 64, "agent_nonce": "b" * 64, "proof": "c" * 64, "x": 1},
        {"step": "other"},
        {"code": "K7QM-3XTP", "step": "code"},
    ],
)
async def test_malformed_pairing_bodies_are_422(
    client: TestClient[Any, Any], body: dict[str, Any]
) -> None:
    response = await post(client, "/v1/pair", body)
    assert response.status == 422
    assert (await response.json())["error"]["code"] == "invalid_request"


async def test_re_pairing_retires_the_token_before_on_every_endpoint(
    client: TestClient[Any, Any], settings: Settings, token: str
) -> None:
    first = await _pair(client, issue_code(settings.data_dir).code)
    second = await _pair(client, issue_code(settings.data_dir).code)
    assert first.token is not None and second.token is not None
    assert len({token, first.token, second.token}) == 3
    for old in (token, first.token):
        assert set((await _statuses(client, old)).values()) == {401}
    assert 401 not in (await _statuses(client, second.token)).values()
    # The secret store holds the new token, so the CLI (postguard status) follows it.
    assert _store(settings).get(TOKEN) == second.token


async def test_revocation_by_another_process_reaches_the_running_agent(
    client: TestClient[Any, Any], settings: Settings, token: str
) -> None:
    assert (await post(client, "/v1/status", {}, token)).status == 200
    # What `postguard pair --revoke` does, from its own process.
    TokenBook(_store(settings), settings.data_dir).revoke()
    assert set((await _statuses(client, token)).values()) == {401}
    # The agent proves with the token the store now holds, which no browser has.
    nonce = secrets.token_hex(16)
    answer = await (await post(client, "/v1/challenge", {"nonce": nonce})).json()
    assert answer["proof"] != proof(token, nonce)
    assert answer["proof"] == proof(_store(settings).get(TOKEN) or "", nonce)
    # Pairing again works.
    exchange = await _pair(client, issue_code(settings.data_dir).code)
    assert exchange.token is not None
    assert (await post(client, "/v1/status", {}, exchange.token)).status == 200


async def test_a_rotation_cut_short_never_revives_the_old_token(
    aiohttp_client: Any, settings: Settings, app: web.Application, token: str
) -> None:
    """The record was rewritten but the process died before the store was: at the next
    start the stored token stays retired and a fresh one is minted."""
    (settings.data_dir / RECORD_FILE).write_text(json.dumps({"sha256": "0" * 64}))
    restarted = await serve_app(aiohttp_client, build_app(settings))
    assert (await post(restarted, "/v1/status", {}, token)).status == 401
    assert _store(settings).get(TOKEN) != token


def test_the_token_record_is_private_and_holds_no_token(
    app: web.Application, settings: Settings, token: str
) -> None:
    path = settings.data_dir / RECORD_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert token not in path.read_text()
