"""Zero-touch pairing in real headless Chromium through the registered native messaging host.

Each "user" is an isolated account (its own HOME, settings, data and port) on which
`postguard install` ran for real: it wrote the host wrapper and the per-browser host
manifests. Chromium runs with that HOME and the profile where Chromium keeps it
(`~/.config/chromium`), so it finds the manifest `install` wrote, with nothing placed by
the test. Nobody types a code; the extension learns the port from the host too, so two
users with agents on two ports each reach their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from e2e_support import (
    LINKEDIN,
    SHARE_EDITOR,
    START_TIMEOUT_S,
    WARN_DRAFT,
    chromium_args,
    free_port,
    pill,
    type_into,
)
from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright
from test_pairing_e2e import Squatter

from agent.native.host import HOST_NAME

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
EXTENSION_ID = "fmiiiaehnajkhelcmmjanpbbckoigbbd"
POPUP = f"chrome-extension://{EXTENSION_ID}/popup/popup.html"
WORKER_SCRIPT = f"chrome-extension://{EXTENSION_ID}/background/worker.js"


@dataclass
class User:
    """One account on the machine: install ran, its agent may run, its browser may run."""

    root: Path
    port: int
    env: dict[str, str]
    agent: subprocess.Popen[bytes] | None = None
    context: BrowserContext | None = None
    pages: list[Page] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def profile(self) -> Path:
        return self.home / ".config" / "chromium"

    def postguard(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "agent", *args],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start_agent(self) -> None:
        with (self.root / "agent.log").open("ab") as log:
            self.agent = subprocess.Popen(
                [sys.executable, "-m", "agent", "serve"], env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while status(self.port, None) is None:
            assert self.agent.poll() is None, (self.root / "agent.log").read_text()
            assert time.monotonic() < deadline, "the agent did not start"
            time.sleep(0.1)

    def stop_agent(self) -> None:
        if self.agent is not None and self.agent.poll() is None:
            self.agent.terminate()
            self.agent.wait(timeout=20)

    def storage(self, key: str) -> Any:
        assert self.context is not None
        page = self.context.new_page()
        page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
        value = page.evaluate(f"chrome.storage.local.get('{key}').then(r => r['{key}'] ?? null)")
        page.close()
        return value


def status(port: int, token: str | None) -> int | None:
    """The HTTP status of /v1/status with ``token`` (None: /v1/health); None if unreachable."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    path = "/v1/status" if token else "/v1/health"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=b"{}" if token else None,
        headers=headers,
        method="POST" if token else "GET",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)
    except OSError:
        return None


def make_user(root: Path, origin: str = f"chrome-extension://{EXTENSION_ID}") -> User:
    """An account with its own port in its settings file, and `postguard install` run.

    ``origin`` other than our extension's is written to the managed settings file, as IT
    does for an extension packed with its own key (docs/deploy.md).
    """
    port = free_port()
    home = root / "home"
    home.mkdir(parents=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGUARD_", "XDG_", "PYTHON", "VIRTUAL_ENV", "DBUS_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        POSTGUARD_CONFIG_DIR=str(root / "config"),
        POSTGUARD_SITE_CONFIG_DIR=str(root / "site"),
        POSTGUARD_DATA_DIR=str(root / "data"),
        # No desktop keyring: the agent and the host keep the token in the same 0600 file.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=str(ROOT),
    )
    (root / "config").mkdir()
    (root / "config" / "config.toml").write_text(f"port = {port}\n", encoding="utf-8")
    if origin != f"chrome-extension://{EXTENSION_ID}":
        (root / "site").mkdir()
        (root / "site" / "config.toml").write_text(
            f'allowed_origins = ["{origin}"]\n', encoding="utf-8"
        )
    user = User(root=root, port=port, env=env)
    done = user.postguard("install")
    assert done.returncode == 0, done.stderr
    manifest = user.profile / "NativeMessagingHosts" / f"{HOST_NAME}.json"
    assert manifest.is_file(), done.stdout
    assert json.loads(manifest.read_text())["allowed_origins"] == [f"{origin}/"]
    return user


def launch(pw: Playwright, user: User, sites_port: int) -> Page:
    """Chromium as ``user`` with the extension just installed; the tab it opens by itself."""
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium"
    args = chromium_args(sites_port)
    browser_env: dict[str, str | float | bool] = dict(user.env)
    user.context = pw.chromium.launch_persistent_context(
        str(user.profile),
        executable_path=str(CHROMIUM),
        headless=False,
        args=args,
        env=browser_env,
        viewport={"width": 1100, "height": 760},
    )
    context = user.context
    worker = next(iter(context.service_workers), None) or context.wait_for_event(
        "serviceworker", timeout=15_000
    )
    assert worker.url == WORKER_SCRIPT
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for page in context.pages:
            if page.url.startswith(POPUP) and "welcome=1" in page.url:
                return page
        context.pages[0].wait_for_timeout(50)
    raise AssertionError(f"no first-run tab; tabs: {[p.url for p in context.pages]}")


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def alice(tmp_path_factory: pytest.TempPathFactory, sites: Any) -> Iterator[User]:
    """Alice, whose browser is closed before the sites' server stops (it holds connections)."""
    user = make_user(tmp_path_factory.mktemp("alice"))
    user.start_agent()
    try:
        yield user
    finally:
        if user.context is not None:
            user.context.close()
        user.stop_agent()


def test_the_extension_pairs_by_itself_with_the_registered_host(
    pw: Playwright, alice: User, sites: Any
) -> None:
    welcome = launch(pw, alice, sites.port)
    # Nobody typed a code or set a port: the host named the agent's port and a code.
    expect(welcome.locator("#connection")).to_have_text("Connected", timeout=20_000)
    expect(welcome.locator("#auto-paired")).to_be_visible()
    expect(welcome.locator("#pair")).to_be_hidden()
    expect(welcome.locator("#step-pair")).to_have_attribute("data-done", "true")
    assert alice.storage("hostPort") == alice.port
    assert alice.storage("pairedBy") == "native"
    token = alice.storage("token")
    assert token and status(alice.port, token) == 200
    assert not (alice.root / "data" / "pairing.json").exists(), "the code was spent"

    assert alice.context is not None
    page = alice.context.new_page()
    page.goto(LINKEDIN)
    type_into(page, SHARE_EDITOR, WARN_DRAFT)
    expect(pill(page)).to_contain_text("1 warning")
    page.close()


def test_two_users_on_one_machine_each_reach_their_own_agent(
    pw: Playwright, alice: User, sites: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert alice.context is not None, "runs after the first test"
    bob = make_user(tmp_path_factory.mktemp("bob"))
    assert bob.port != alice.port
    bob.start_agent()
    try:
        welcome = launch(pw, bob, sites.port)
        expect(welcome.locator("#connection")).to_have_text("Connected", timeout=20_000)
        assert bob.storage("hostPort") == bob.port
        bob_token, alice_token = bob.storage("token"), alice.storage("token")
        assert status(bob.port, bob_token) == 200
        assert status(alice.port, bob_token) == 401, "Bob's browser holds no key to Alice's agent"
        assert status(alice.port, alice_token) == 200, "Alice's pairing is untouched"
    finally:
        if bob.context is not None:
            bob.context.close()
        bob.stop_agent()


def test_a_squatter_on_the_port_gets_nothing_and_no_code_is_issued(
    pw: Playwright, sites: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    carol = make_user(tmp_path_factory.mktemp("carol"))
    carol.start_agent()  # mints Carol's token, which the host checks the port against
    carol.stop_agent()
    with Squatter(carol.port) as squatter:
        try:
            welcome = launch(pw, carol, sites.port)
            expect(welcome.locator("#native-note")).to_contain_text(
                "not your PostGuard agent", timeout=20_000
            )
            expect(welcome.locator("#connection")).to_have_text("Not paired")
            expect(welcome.locator("#pair")).to_be_visible()  # the code form stays the fallback
            assert carol.storage("token") is None
        finally:
            if carol.context is not None:
                carol.context.close()
        received = squatter.received()
        assert "/v1/pair" not in received, "the extension never started an exchange"
        assert "/v1/challenge" in received, "the host challenged the program on the port"
    assert not (carol.root / "data" / "pairing.json").exists(), "no code was issued"
