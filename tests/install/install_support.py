"""An isolated machine for install tests: its own HOME, XDG dirs and PostGuard dirs.

Nothing here touches the real user's home: every directory a command could write to is
under the test's tmp dir, and the keyring refuses everything (the headless-Linux case).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
# No proxy: a CI runner's HTTP_PROXY must not see loopback traffic.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def isolated_env(root: Path, port: int) -> dict[str, str]:
    """The environment of a fresh user account whose home is ``root/home``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("POSTGUARD_", "XDG_", "PYTHON", "VIRTUAL_ENV"))
    }
    home = root / "home"
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_CONFIG_DIRS=str(root / "etc-xdg"),
        POSTGUARD_PORT=str(port),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONUNBUFFERED="1",
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def health(port: int) -> int | None:
    try:
        with _OPENER.open(f"http://127.0.0.1:{port}/v1/health", timeout=2) as resp:
            status: int = resp.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_healthy(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the agent exited ({process.returncode}): {log.read_text()}")
        if health(port) == 200:
            return
        time.sleep(0.1)
    raise AssertionError(
        f"/v1/health did not answer within {START_TIMEOUT_S:g} s: {log.read_text()}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
