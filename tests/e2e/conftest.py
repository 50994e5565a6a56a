"""End-to-end fixtures: the real agent, a local HTTPS server that answers for
www.linkedin.com and x.com with the saved composer pages, and Debian's headless
Chromium with the unpacked extension loaded and paired through its popup.

One agent, one page server and one browser per test module keep the run short.
A browser that cannot start fails the tests; it is never a skip.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from e2e_support import ROOT, SCREENSHOTS, START_TIMEOUT_S, chromium_args, free_port
from playwright.sync_api import BrowserContext, Page, Worker, sync_playwright

from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY

EXTENSION = ROOT / "extension"
FIXTURES = EXTENSION / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")
EXTENSION_ID = "fmiiiaehnajkhelcmmjanpbbckoigbbd"
POSTGUARD = Path(sys.executable).parent / "postguard"

# Which fixture app answers for which host: each is a single-page app that routes
# by path as the site does (so SPA navigation happens inside one page).
PAGES = {
    "www.linkedin.com": "linkedin-app.html",
    "x.com": "x-app.html",
}
# The real editor libraries the fixture apps run, installed by scripts/test with npm
# (tests/e2e/package.json); served at /_lib/<package>/<file>.
LIBRARIES = Path(__file__).resolve().parent / "node_modules"
LIBRARY_PACKAGES = frozenset({"react", "react-dom", "draft-js", "immutable", "quill"})
LIBRARY_TYPES = {".js": "text/javascript", ".css": "text/css"}


# --- the agent ---------------------------------------------------------------


@dataclass
class Agent:
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, extra_env: dict[str, str] | None = None) -> None:
        """Start (or restart) on the same port and data: the pairing token survives."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(POSTGUARD), "serve", "--port", str(self.port)],
                env={**self.env, **(extra_env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # A first start compiles the bundled packs (seconds on an idle machine, far
        # more on a loaded CI runner); the deadline only bounds a hung agent.
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agent exited at start:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(
            f"agent did not answer within {START_TIMEOUT_S} s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [str(POSTGUARD), *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def audit(self) -> list[dict[str, Any]]:
        return [
            json.loads(line) for line in self.cli("audit", "show", "--json").splitlines() if line
        ]

    def requests(self, route: str) -> int:
        """How often the access log shows `route` (e.g. "POST /v1/challenge")."""
        return self.log.read_text(errors="replace").count(f"{route} ")


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    base = tmp_path_factory.mktemp("agent")
    env = {
        **os.environ,
        "POSTGUARD_DATA_DIR": str(base / "data"),
        "POSTGUARD_CONFIG_DIR": str(base / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(base / "site"),
        # No desktop keyring here: the agent keeps its token in a 0600 file.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        # The bundled baseline and, on top, the fictional company's pack (its policy
        # links, disclosure and codename rules are what several tests look at).
        "POSTGUARD_PACK_DIRS": os.pathsep.join(str(p) for p in (*BUNDLED_PACKS, EXAMPLE_COMPANY)),
    }
    agent = Agent(port=free_port(), env=env, log=base / "agent.log")
    agent.start()
    try:
        yield agent
    finally:
        agent.stop()


# --- the sites -----------------------------------------------------------------


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for the sites' real host names."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "postguard e2e")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(host) for host in PAGES]
                + [x509.DNSName("twitter.com"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def _page(request: web.Request) -> web.StreamResponse:
    host = (request.host or "").split(":")[0]
    name = PAGES.get(host)
    if name is None:
        raise web.HTTPNotFound()
    if request.path.startswith("/_lib/"):
        return _library(request.path.removeprefix("/_lib/"))
    if request.path == "/favicon.ico":
        raise web.HTTPNotFound()
    return web.FileResponse(FIXTURES / name, headers={"Content-Type": "text/html; charset=utf-8"})


def _library(relative: str) -> web.StreamResponse:
    parts = relative.split("/")
    path = (LIBRARIES / relative).resolve()
    kind = LIBRARY_TYPES.get(path.suffix)
    if parts[0] not in LIBRARY_PACKAGES or kind is None or not path.is_relative_to(LIBRARIES):
        raise web.HTTPNotFound()
    if not path.is_file():
        raise web.HTTPNotFound(text=f"{relative} missing: run npm ci --prefix tests/e2e")
    return web.FileResponse(path, headers={"Content-Type": f"{kind}; charset=utf-8"})


@dataclass
class Sites:
    port: int
    loop: asyncio.AbstractEventLoop = field(repr=False)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    assert (LIBRARIES / "draft-js" / "dist" / "Draft.min.js").is_file(), (
        "the fixture apps' editor libraries are missing: run npm ci --prefix tests/e2e"
    )
    cert, key = _certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_get("/{tail:.*}", _page)
    runner = web.AppRunner(app, access_log=None)
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port, ssl_context=context).start())
        started.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name="e2e-sites", daemon=True)
    thread.start()
    assert started.wait(10), "the fixture site server did not start"
    try:
        yield Sites(port=port, loop=loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


# --- the browser ---------------------------------------------------------------

POPUP = f"chrome-extension://{EXTENSION_ID}/popup/popup.html"
WORKER_SCRIPT = f"chrome-extension://{EXTENSION_ID}/background/worker.js"


@dataclass
class Browser:
    context: BrowserContext
    worker: Worker
    agent: Agent
    # The tab the extension opened by itself on install (popup.html?welcome=1).
    welcome: Page

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.goto(url)
        # The content script marks its presence by adding its UI layer on first use;
        # wait until the composer has been picked up.
        page.wait_for_function("document.querySelector('postguard-ui') !== null", timeout=10_000)
        return page

    def popup(self) -> Page:
        page = self.context.new_page()
        page.set_viewport_size({"width": 360, "height": 600})
        page.goto(POPUP)
        return page

    def storage_set(self, values: dict[str, Any]) -> None:
        """Write the extension's chrome.storage.local as the options page does."""
        page = self.context.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
        page.evaluate("values => chrome.storage.local.set(values)", values)
        page.close()

    def token(self) -> str | None:
        """The pairing token the extension keeps in chrome.storage.local."""
        page = self.context.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
        token: str | None = page.evaluate(
            "chrome.storage.local.get('token').then(r => r.token ?? null)"
        )
        page.close()
        return token

    def paired(self) -> bool:
        return self.token() is not None

    def stop_worker(self) -> None:
        """Stop the extension's service worker as Chrome does when it is idle.

        Uses DevTools' ServiceWorker.stopAllWorkers (what chrome://serviceworker-internals'
        "Stop" does) from an extension page, and waits until DevTools reports the
        worker stopped. Its in-memory state is gone; the next message restarts it.
        """
        page = self.context.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
        cdp = self.context.new_cdp_session(page)
        statuses: list[str] = []

        def seen(event: dict[str, Any]) -> None:
            for version in event.get("versions", []):
                if version.get("scriptURL") == WORKER_SCRIPT:
                    statuses.append(version.get("runningStatus", ""))

        cdp.on("ServiceWorker.workerVersionUpdated", seen)
        cdp.send("ServiceWorker.enable")
        cdp.send("ServiceWorker.stopAllWorkers")
        deadline = time.monotonic() + 10
        while "stopped" not in statuses and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        cdp.detach()
        page.close()
        assert "stopped" in statuses, f"the service worker did not stop: {statuses}"


@pytest.fixture(scope="module")
def installed(
    agent: Agent, sites: Sites, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """Chromium with the extension just installed: not paired, policy not acknowledged."""
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    profile = tmp_path_factory.mktemp("profile")
    args = chromium_args(sites.port)
    with sync_playwright() as pw:
        # headless=False: "--headless=new" above already makes it headless, and
        # Playwright would otherwise add flags of its own.
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=False,
            args=args,
            viewport={"width": 1100, "height": 760},
            device_scale_factor=1,
        )
        try:
            worker = next(iter(context.service_workers), None) or context.wait_for_event(
                "serviceworker", timeout=15_000
            )
            assert worker.url == WORKER_SCRIPT, worker.url
            welcome = _welcome_tab(context)
            worker.evaluate(f"chrome.storage.local.set({{agentPort: {agent.port}}})")
            # It first looked for an agent on the default port; look again on the test's.
            welcome.reload()
            yield Browser(context=context, worker=worker, agent=agent, welcome=welcome)
        finally:
            context.close()


def _welcome_tab(context: BrowserContext) -> Page:
    """The tab the extension opens by itself on install; a failure if it never does."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for page in context.pages:
            if page.url.startswith(POPUP) and "welcome=1" in page.url:
                page.wait_for_load_state()
                return page
        # Playwright's sync API only learns of new tabs while it waits on something.
        context.pages[0].wait_for_timeout(50)
    raise AssertionError(f"no first-run tab opened; tabs: {[p.url for p in context.pages]}")


@pytest.fixture(scope="module")
def browser(installed: Browser) -> Browser:
    """The installed extension, paired with the agent (through the popup, if the
    first-install test has not paired it already)."""
    if not installed.paired():
        _pair_through_popup(installed)
    return installed


def _pair_through_popup(browser: Browser) -> None:
    popup = browser.popup()
    popup.locator("#connection").filter(has_text="Not paired").wait_for(timeout=10_000)
    code = browser.agent.cli("pair", "--quiet").strip()
    popup.fill("#pair-code", code)
    popup.click("#pair-form button[type=submit]")
    popup.locator("#connection").filter(has_text="Connected").wait_for(timeout=10_000)
    popup.close()
