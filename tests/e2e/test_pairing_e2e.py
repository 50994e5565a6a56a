"""Pairing in real headless Chromium: a squatter on the agent's port gets neither the code
nor a draft; a revoked pairing stops checks until the browser pairs again; a squatter that
takes the port after pairing, even between two requests of a worker that had just proved
the agent, fails the challenge that precedes every request.

The squatter is a real aiohttp server on a loopback port playing the old attack: it
answers pairing with a token of its own and the challenge with a proof of that token.
Tests run in file order and share one browser and one agent.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web
from e2e_support import LINKEDIN, SHARE_EDITOR, X_EDITOR, X_HOME, free_port, pill, type_into
from playwright.sync_api import expect

from agent.security.challenge import proof

Browser = Any

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DRAFT = "Canary draft 7f3a: Speaking on behalf of the company, we are thrilled"


class Squatter:
    TOKEN = "squatter-" + secrets.token_urlsafe(32)

    def __init__(self, port: int) -> None:
        self.port = port
        self.seen: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None

    async def _answer(self, request: web.Request) -> web.Response:
        text = await request.text()
        self.seen.append(
            f"{request.method} {request.path} {request.headers.get('Authorization')} {text}"
        )
        body = json.loads(text) if text.startswith("{") else {}
        if request.path == "/v1/challenge":
            return web.json_response({"proof": proof(self.TOKEN, str(body.get("nonce", "")))})
        if request.path == "/v1/pair" and body.get("step") == "hello":
            return web.json_response({"agent_nonce": secrets.token_hex(32)})
        if request.path == "/v1/pair" and body.get("step") == "prove":
            return web.json_response(
                {
                    "iv": secrets.token_hex(12),
                    "sealed_token": secrets.token_hex(59),
                    "proof": secrets.token_hex(32),
                }
            )
        if request.path == "/v1/pair":
            return web.json_response({"token": self.TOKEN})
        if request.path == "/v1/health":
            return web.json_response({"status": "ok"})
        return web.json_response({"verdict": "ok", "findings": [], "packs": []})

    def __enter__(self) -> Squatter:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        runner = web.AppRunner(app, access_log=None)
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(runner.setup())
            self._loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
            started.set()
            self._loop.run_forever()
            self._loop.run_until_complete(runner.cleanup())
            self._loop.close()

        self._thread = threading.Thread(target=serve, name="e2e-squatter", daemon=True)
        self._thread.start()
        assert started.wait(10), "the squatter did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(10)

    def received(self) -> str:
        return "\n".join(self.seen)


@pytest.fixture
def squatter() -> Iterator[Squatter]:
    with Squatter(free_port()) as server:
        yield server


def _code(browser: Browser) -> str:
    """A code from `postguard pair`, which first checks the real agent holds its port."""
    out: str = browser.agent.cli("pair", "--port", str(browser.agent.port), "--quiet")
    return out.strip()


def _status(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/status",
        data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_a_squatter_at_pairing_time_gets_neither_the_code_nor_a_draft(
    installed: Browser, squatter: Squatter
) -> None:
    installed.storage_set({"agentPort": squatter.port})
    try:
        popup = installed.popup()
        expect(popup.locator("#connection")).to_have_text("Not paired")
        code = _code(installed)
        popup.fill("#pair-code", code)
        popup.click("#pair-form button[type=submit]")
        expect(popup.locator("#pair-error")).to_contain_text("not your PostGuard agent")
        expect(popup.locator("#connection")).to_have_text("Not paired")
        popup.close()
        assert installed.token() is None, "the squatter's token was not kept"

        page = installed.open(LINKEDIN)
        type_into(page, SHARE_EDITOR, DRAFT)
        expect(pill(page)).to_contain_text("Not paired")
        page.close()

        received = squatter.received()
        assert code.replace("-", "")[:4] not in received and code not in received
        assert "Canary draft" not in received
        assert "/v1/check" not in received
        assert "Bearer" not in received
    finally:
        installed.storage_set({"agentPort": installed.agent.port})


def test_a_revoked_pairing_stops_checks_until_the_browser_pairs_again(browser: Browser) -> None:
    old = browser.token()
    assert old is not None and _status(browser.agent.port, old) == 200
    browser.agent.cli("pair", "--revoke")
    assert _status(browser.agent.port, old) == 401

    page = browser.open(X_HOME)
    type_into(page, X_EDITOR, DRAFT)
    # The worker asks the agent to prove a token it no longer holds ("Agent not verified");
    # should the token be retired between that challenge and the check, the check gets a 401
    # ("Not paired").
    expect(pill(page)).to_contain_text(re.compile("Not paired|Agent not verified"))
    page.close()

    popup = browser.popup()
    expect(popup.locator("#pair")).to_be_visible()
    popup.fill("#pair-code", _code(browser))
    popup.click("#pair-form button[type=submit]")
    expect(popup.locator("#connection")).to_have_text("Connected")
    popup.close()
    new = browser.token()
    assert new is not None and new != old
    assert _status(browser.agent.port, new) == 200
    assert _status(browser.agent.port, old) == 401


def test_a_squatter_after_pairing_fails_the_challenge_and_gets_no_draft(browser: Browser) -> None:
    """The agent exits and a squatter binds its port between two requests of a worker that
    has just proved the agent, with no request failing in between: the worker cannot see
    the swap, so each request must be challenged afresh. Then a restarted worker, too."""
    assert browser.paired()
    # Nothing else talks to the worker meanwhile: the first-run tab and the popup poll the
    # status every 5 s, and a poll refused while the port is free would hide the swap.
    browser.welcome.close()
    popup = browser.popup()
    expect(popup.locator("#connection")).to_have_text("Connected")  # proved and used
    popup.close()
    browser.worker.evaluate("globalThis.postguardE2eMarker = 'proved the agent'")
    browser.agent.stop()
    try:
        with Squatter(browser.agent.port) as squatter:
            page = browser.open(X_HOME)
            type_into(page, X_EDITOR, DRAFT)
            expect(pill(page)).to_contain_text("Agent not verified")
            page.close()
            popup = browser.popup()
            expect(popup.locator("#connection")).to_have_text("Agent not verified")
            expect(popup.locator("#pair")).to_be_visible()
            popup.close()
            # The same worker life as the proof above: its earlier proof was not reused.
            marker = browser.worker.evaluate("globalThis.postguardE2eMarker ?? null")
            assert marker == "proved the agent", "the worker restarted: the swap was not tested"

            browser.stop_worker()  # the next message starts a worker that proves the agent again
            page = browser.open(X_HOME)
            type_into(page, X_EDITOR, DRAFT)
            expect(pill(page)).to_contain_text("Agent not verified")
            page.close()

            received = squatter.received()
            assert "/v1/challenge" in received
            assert "Canary draft" not in received and "Bearer" not in received
            paths = {line.split(" ")[1] for line in squatter.seen}
            assert paths <= {"/v1/challenge", "/v1/health"}, received
    finally:
        browser.agent.start()
