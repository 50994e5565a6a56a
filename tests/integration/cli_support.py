"""The real ``postguard`` command in an isolated home: its own config, data and managed dirs.

Every walkthrough runs the installed console script as a newcomer would, with a keyring
that refuses everything (the headless-Linux case), and talks to the processes it starts
over loopback only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POSTGUARD = Path(sys.executable).with_name("postguard")
START_TIMEOUT_S = 20.0
# No proxy: a CI runner's HTTP_PROXY must not see loopback traffic.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port(*taken: int) -> int:
    """A loopback port free now; ``taken``: ports picked for servers not started yet."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in taken:
            return port


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def request(url: str, *, data: str | None = None, headers: dict[str, str] | None = None) -> Answer:
    """One HTTP request with exactly the given headers (plus urllib's Host and User-Agent)."""
    req = urllib.request.Request(
        url, data=None if data is None else data.encode("utf-8"), headers=headers or {}
    )
    try:
        with _OPENER.open(req, timeout=10) as resp:
            return Answer(resp.status, resp.read(), dict(resp.headers))
    except urllib.error.HTTPError as exc:
        with exc:
            return Answer(exc.code, exc.read(), dict(exc.headers))


def wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url}: the process exited: {log.read_text()}")
        try:
            if request(url).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {START_TIMEOUT_S:g} s: {log.read_text()}")


def wait_for(predicate: Any, what: str, timeout_s: float = 15.0) -> float:
    """Poll until ``predicate()`` is true; return how long it took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout_s:g} s")


@dataclass
class Home:
    """A newcomer's machine: a working directory and the environment the CLI sees."""

    root: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    _running: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    @classmethod
    def create(cls, root: Path) -> Home:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
        env.update(
            POSTGUARD_DATA_DIR=str(root / "data"),
            POSTGUARD_CONFIG_DIR=str(root / "config"),
            POSTGUARD_SITE_CONFIG_DIR=str(root / "managed"),
            POSTGUARD_PORT=str(port),
            PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
            PYTHONUNBUFFERED="1",
        )
        (root / "work").mkdir(parents=True)
        return cls(root=root, port=port, env=env)

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    @property
    def data_dir(self) -> Path:
        return Path(self.env["POSTGUARD_DATA_DIR"])

    @property
    def agent_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        """``postguard ARGS`` to completion; fails the test on another exit code."""
        done = subprocess.run(
            [str(POSTGUARD), *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == expect, (
            f"postguard {' '.join(args)} exited {done.returncode}, not {expect}:\n"
            f"{done.stdout}\n{done.stderr}"
        )
        return done

    def start(self, name: str, argv: list[str], ready_url: str) -> Path:
        """Start a long-running process; return its log (stdout and stderr)."""
        log = self.root / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self._running.append((process, log))
        wait_until_serving(ready_url, process, log)
        return log

    def start_agent(self) -> Path:
        return self.start("agent", [str(POSTGUARD), "serve"], f"{self.agent_url}/v1/health")

    def stop(self, log: Path) -> int:
        """Stop the process writing ``log`` as a user would (Ctrl-C); return its exit code."""
        for process, path in self._running:
            if path == log:
                self._running.remove((process, path))
                return _stop(process)
        raise AssertionError(f"no running process logs to {log}")

    def stop_all(self) -> None:
        while self._running:
            process, _ = self._running.pop()
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            return process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()
