"""Force-install by policy, as docs/deploy.md tells IT to do it, in real headless Chromium.

A fresh RSA key signs the extension with the real `postguard extension pack`; a loopback
HTTP server serves the `.crx` and `updates.xml` it wrote. Chromium gets a managed policy
(`ExtensionInstallForcelist` naming that update URL, and the extension's own settings under
`3rdparty.extensions.<id>`) and no `--load-extension`: the policy alone installs it. The
user's agent accepts the packed id through the managed settings file, `postguard install`
registers the native messaging host for it, and the extension then pairs by itself and
checks a draft on the LinkedIn fixture page.

Chromium on Linux reads policies only from `/etc/chromium/policies/managed/`, for every
browser on the machine. So that browsers other tests start meanwhile see no policy, the
test's Chromium runs in a private mount namespace where the test's own folder is bound
over `/etc/chromium`; nothing on the machine changes. Where mount namespaces are refused,
the policy file is written there for the duration of the test (root only) and removed after.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from e2e_support import (
    LINKEDIN,
    ROOT,
    SHARE_EDITOR,
    WARN_DRAFT,
    chromium_args,
    free_port,
    pill,
    type_into,
)
from playwright.sync_api import BrowserContext, Playwright, expect, sync_playwright
from test_native_pairing import make_user, status

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ETC = Path("/etc/chromium")
MANAGED_POLICIES = CHROMIUM_ETC / "policies" / "managed"
STALE_POLICIES = "postguard-test-*.json"
# What IT sets for the extension: the extension must read both as managed, and show failMode.
MANAGED_SETTINGS = {"failMode": "closed", "justificationMin": 30}
INSTALL_TIMEOUT_MS = 60_000
# Flags that would stop the policy from installing anything: Playwright's own
# --disable-extensions and --disable-background-networking (the extension updater that
# fetches forced extensions), and the unpacked copy that chromium_args loads.
IGNORED_DEFAULTS = ["--disable-extensions", "--disable-background-networking"]
UNPACKED_FLAGS = ("--load-extension", "--disable-extensions-except", "--disable-background-net")


# --- the update server -----------------------------------------------------------


@dataclass
class UpdateServer:
    """A loopback HTTP server for the packed folder, recording each path Chromium fetched."""

    folder: Path
    port: int = field(default_factory=free_port)
    fetched: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/postguard/"

    def serve(self) -> http.server.ThreadingHTTPServer:
        fetched = self.fetched

        class Handler(http.server.SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                fetched.append(path)
                return super().translate_path(path.removeprefix("/postguard"))

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the fetched list is the log

        handler = functools.partial(Handler, directory=str(self.folder))
        return http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)


@dataclass(frozen=True)
class Packed:
    extension_id: str
    version: str
    update_url: str
    server: UpdateServer

    @property
    def origin(self) -> str:
        return f"chrome-extension://{self.extension_id}"


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Packed]:
    """The extension signed with a fresh key by `postguard extension pack`, being served."""
    base = tmp_path_factory.mktemp("packed")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = base / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = UpdateServer(base / "dist")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "agent", "extension", "pack", str(ROOT / "extension")),
            *("--key", str(key_file), "--base-url", server.base_url, "--out", str(server.folder)),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = re.search(r"^extension id: ([a-p]{32}) \(version (\S+)\)$", done.stdout, re.M)
    assert found, done.stdout
    entry = re.search(r"^ExtensionInstallForcelist entry: [a-p]{32};(\S+)$", done.stdout, re.M)
    assert entry, done.stdout
    assert entry.group(1) == server.base_url + "updates.xml"
    httpd = server.serve()
    thread = threading.Thread(target=httpd.serve_forever, name="update-server", daemon=True)
    thread.start()
    try:
        yield Packed(found.group(1), found.group(2), entry.group(1), server)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


# --- the policy ------------------------------------------------------------------


def policy(packed: Packed) -> dict[str, Any]:
    """The policy file docs/deploy.md shows, for the packed id and the loopback server,
    plus one policy the test itself needs."""
    return {
        "ExtensionInstallForcelist": [f"{packed.extension_id};{packed.update_url}"],
        "3rdparty": {"extensions": {packed.extension_id: MANAGED_SETTINGS}},
        # Not part of a deployment: by default DevTools (which Playwright drives the browser
        # through) may not attach to a force-installed extension's worker and pages, and the
        # test reads both. 1 = allowed everywhere.
        "DeveloperToolsAvailability": 1,
    }


def _mount_namespaces_work() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return probe.returncode == 0


@pytest.fixture(scope="module")
def chromium_with_policy(
    packed: Packed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The program to start as Chromium, which then reads the test's policy."""
    assert CHROMIUM.exists(), "Debian's chromium is required: apt-get install chromium"
    body = json.dumps(policy(packed), indent=2)
    if CHROMIUM_ETC.is_dir() and _mount_namespaces_work():
        # A private /etc/chromium: the machine's own files (initial preferences), no
        # policies but the test's, seen by this Chromium and its children only.
        etc = tmp_path_factory.mktemp("etc-chromium")
        shutil.copytree(
            CHROMIUM_ETC, etc, dirs_exist_ok=True, ignore=shutil.ignore_patterns("policies")
        )
        (etc / "policies" / "managed").mkdir(parents=True)
        (etc / "policies" / "managed" / "postguard.json").write_text(body, encoding="utf-8")
        wrapper = tmp_path_factory.mktemp("chromium-wrapper") / "chromium-with-policy"
        wrapper.write_text(
            "#!/bin/sh\n"
            "exec unshare --mount --propagation private sh -c "
            f'\'mount --bind "$0" {CHROMIUM_ETC} && exec {CHROMIUM} "$@"\' '
            f'"{etc}" "$@"\n',
            encoding="utf-8",
        )
        wrapper.chmod(0o755)
        yield wrapper
        return
    if os.geteuid() != 0:
        pytest.skip(f"a Chromium policy needs root: {MANAGED_POLICIES} is machine-wide")
    try:
        MANAGED_POLICIES.mkdir(parents=True, exist_ok=True)
        for stale in MANAGED_POLICIES.glob(STALE_POLICIES):
            stale.unlink(missing_ok=True)
        placed = MANAGED_POLICIES / f"postguard-test-{uuid.uuid4().hex}.json"
        placed.write_text(body, encoding="utf-8")
    except OSError as exc:
        pytest.skip(f"cannot write a Chromium policy in {MANAGED_POLICIES}: {exc}")
    try:
        yield CHROMIUM
    finally:
        placed.unlink(missing_ok=True)


# --- the user --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


def install_report(context: BrowserContext, packed: Packed) -> str:
    """What Chromium says of the packed extension and what it fetched, for a failure message."""
    page = context.new_page()
    try:
        page.goto("chrome://extensions-internals")
        listed = json.loads(page.locator("body").inner_text())
        ours = [e for e in listed if e.get("id") == packed.extension_id]
        state = json.dumps(ours[0], indent=1)[:3000] if ours else "not installed"
    except Exception as exc:  # a report on a failure: never hide the failure itself
        state = f"chrome://extensions-internals unreadable ({exc})"
    finally:
        page.close()
    return f"the extension: {state}\nthe update server served: {packed.server.fetched}"


def test_the_policy_installs_the_packed_extension_which_pairs_and_checks(
    pw: Playwright,
    packed: Packed,
    chromium_with_policy: Path,
    sites: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    user = make_user(tmp_path_factory.mktemp("dana"), packed.origin)
    user.start_agent()
    started = time.monotonic()
    try:
        args = [a for a in chromium_args(sites.port) if not a.startswith(UNPACKED_FLAGS)]
        browser_env: dict[str, str | float | bool] = dict(user.env)
        user.context = context = pw.chromium.launch_persistent_context(
            str(user.profile),
            executable_path=str(chromium_with_policy),
            headless=False,
            args=args,
            ignore_default_args=IGNORED_DEFAULTS,
            env=browser_env,
            viewport={"width": 1100, "height": 760},
        )
        worker_url = f"{packed.origin}/background/worker.js"
        deadline = time.monotonic() + INSTALL_TIMEOUT_MS / 1000
        while not any(w.url == worker_url for w in context.service_workers):
            if time.monotonic() > deadline:
                raise AssertionError(
                    "the policy did not install the extension within "
                    f"{INSTALL_TIMEOUT_MS // 1000} s\n{install_report(context, packed)}"
                )
            context.pages[0].wait_for_timeout(200)
        installed_after = time.monotonic() - started
        # Chromium asked for it as a policy install, then fetched the signed file.
        fetched = packed.server.fetched
        assert any(
            p.startswith("/postguard/updates.xml?") and "installedby%3Dpolicy" in p for p in fetched
        ), fetched
        assert f"/postguard/postguard-{packed.version}.crx" in fetched, fetched

        # Paired through the host `install` registered for the packed id; nobody typed a code.
        popup = context.new_page()
        popup.goto(f"{packed.origin}/popup/popup.html")
        expect(popup.locator("#connection")).to_have_text("Connected", timeout=20_000)
        # The policy's settings reached the extension and win over the employee's.
        expect(popup.locator("#mode")).to_have_text(
            "Posting waits for the agent when it is offline"
        )
        token = popup.evaluate("chrome.storage.local.get('token').then(r => r.token ?? null)")
        assert popup.evaluate("chrome.storage.local.get('pairedBy').then(r => r.pairedBy)") == (
            "native"
        )
        assert token and status(user.port, token) == 200
        managed = popup.evaluate("chrome.storage.managed.get(null)")
        assert managed == MANAGED_SETTINGS
        popup.goto(f"{packed.origin}/options/options.html")
        expect(popup.locator("#failMode")).to_be_disabled()
        expect(popup.locator("#failMode")).to_have_value("closed")
        expect(popup.locator('[data-for="failMode"]')).to_have_text("Set by your organisation")
        popup.close()

        page = context.new_page()
        page.goto(LINKEDIN)
        type_into(page, SHARE_EDITOR, WARN_DRAFT)
        expect(pill(page)).to_contain_text("1 warning")
        page.close()
        print(f"force-installed after {installed_after:.1f} s")
    finally:
        if user.context is not None:
            user.context.close()
        user.stop_agent()
