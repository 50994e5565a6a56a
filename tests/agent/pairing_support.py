"""Pairing test helpers: the extension's half of the exchange, in Python, and a squatter.

The client uses the agent's own :mod:`agent.security.pairing_proof`; that the extension's
JavaScript computes the same values is held by ``extension/tests/pairing_vectors.json``,
which both languages' tests check.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent_helpers import CORE_PACK, EXTRA_PACK
from aiohttp import web

from agent.security import pairing_proof
from agent.security.challenge import proof
from agent.security.pairing import normalise

Post = Callable[[str, dict[str, Any]], Awaitable[tuple[int, dict[str, Any]]]]


@dataclass
class Exchange:
    """One run of the extension's exchange, with everything it sent and got."""

    hello: tuple[int, dict[str, Any]]
    prove: tuple[int, dict[str, Any]] | None = None
    sent: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None


async def pair_like_the_extension(
    post: Post, code: str, address: str, *, nonce: str | None = None
) -> Exchange:
    """hello, then prove; ``token`` is set only if the answer proves knowledge of ``code``."""
    nonce = nonce or secrets.token_hex(32)
    hello_body = {"step": "hello", "nonce": nonce}
    exchange = Exchange(hello=await post("/v1/pair", hello_body), sent=[hello_body])
    status, answer = exchange.hello
    if status != 200:
        return exchange
    agent_nonce = str(answer["agent_nonce"])
    keys = await asyncio.to_thread(pairing_proof.derive_keys, normalise(code), nonce)
    transcript = pairing_proof.transcript(address, nonce, agent_nonce)
    prove_body = {
        "step": "prove",
        "nonce": nonce,
        "agent_nonce": agent_nonce,
        "proof": pairing_proof.extension_proof(keys, transcript),
    }
    exchange.sent.append(prove_body)
    exchange.prove = await post("/v1/pair", prove_body)
    status, answer = exchange.prove
    if status != 200:
        return exchange
    sealed = pairing_proof.SealedToken(iv=answer["iv"], sealed_token=answer["sealed_token"])
    token = pairing_proof.open_token(keys, transcript, sealed)
    if token is not None and pairing_proof.proofs_equal(
        answer["proof"], pairing_proof.agent_proof(keys, transcript, token)
    ):
        exchange.token = token
    return exchange


class Squatter:
    """A real aiohttp server on a loopback port that plays the old attack on whoever pairs.

    It answers the code-only pairing with a token of its own, the extension's ``hello``
    with a nonce and its ``prove`` with random bytes (it cannot do better without the code),
    and the challenge with a correct proof of its own token.  Everything it receives is kept
    in ``seen`` (path, body text, Authorization header).
    """

    TOKEN = "squatter-" + secrets.token_urlsafe(32)

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.seen: list[tuple[str, str, str | None]] = []
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    async def _answer(self, request: web.Request) -> web.Response:
        text = await request.text()
        self.seen.append((request.path, text, request.headers.get("Authorization")))
        try:
            body = json.loads(text) if text else {}
        except ValueError:
            body = {}
        if request.path == "/v1/health":
            return web.json_response({"status": "ok"})
        if request.path == "/v1/challenge":
            return web.json_response({"proof": proof(self.TOKEN, str(body.get("nonce", "")))})
        if request.path == "/v1/pair":
            if body.get("step") == "hello":
                return web.json_response({"agent_nonce": secrets.token_hex(32)})
            if body.get("step") == "prove":
                return web.json_response(
                    {
                        "iv": secrets.token_hex(12),
                        "sealed_token": secrets.token_hex(59),
                        "proof": secrets.token_hex(32),
                    }
                )
            return web.json_response({"token": self.TOKEN})
        return web.json_response({"verdict": "ok", "findings": []})

    def start(self) -> Squatter:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            assert self._runner is not None
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="squatter", daemon=True)
        self._thread.start()
        assert started.wait(10), "the squatter did not start"
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.seen]

    def received(self) -> str:
        """Everything that reached it, as one string: to search for codes and drafts."""
        return "\n".join(f"{path} {auth} {text}" for path, text, auth in self.seen)


def agent_env(home: Path, port: int) -> dict[str, str]:
    """``postguard`` on ``port`` with its own directories under ``home`` and no keyring."""
    return {
        **os.environ,
        "POSTGUARD_CONFIG_DIR": str(home / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(home / "site"),
        "POSTGUARD_DATA_DIR": str(home / "data"),
        "POSTGUARD_PORT": str(port),
        "POSTGUARD_PACK_DIRS": os.pathsep.join([str(CORE_PACK), str(EXTRA_PACK)]),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


@contextlib.contextmanager
def running_agent(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``postguard serve`` as a real process, answering on its port, stopped afterwards."""
    port = int(env["POSTGUARD_PORT"])
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agent", "serve"], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "agent did not start: " + log.read_text()
                time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    """One POST to the agent with urllib; (status, parsed JSON body)."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    sent = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(sent, timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())
