"""Real server processes for the HTTP measurements: the agent and the bare echo endpoint.

Each agent gets its own data, config and managed-config directories and the
file token store, so a run never touches the employee's own agent or keyring.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.002


class ServerError(RuntimeError):
    pass


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    start_ms: float = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _request(port: int, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _tail(log: Path) -> str:
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "no output"


def _spawn(command: Sequence[str], env: dict[str, str], port: int, log: Path) -> Server:
    """Start ``command`` and wait until its health endpoint answers 200."""
    with log.open("wb") as sink:
        started = time.perf_counter_ns()
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            list(command), env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    server = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{command[2]} exited with {process.returncode}: {_tail(log)}")
        try:
            status, _ = _request(port, "GET", "/v1/health")
        except OSError:
            time.sleep(_POLL_S)
            continue
        if status == 200:
            server.start_ms = (time.perf_counter_ns() - started) / 1e6
            return server
        time.sleep(_POLL_S)
    stop(server)
    raise ServerError(f"{command[2]} did not become healthy within {START_TIMEOUT_S:.0f} s")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def start_echo(home: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "agent.bench.echo_server", str(port)]
    return _spawn(command, dict(os.environ), port, home / "echo.log")


def agent_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "POSTGUARD_DATA_DIR": str(home / "data"),
            "POSTGUARD_CONFIG_DIR": str(home / "config"),
            "POSTGUARD_SITE_CONFIG_DIR": str(home / "site"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    return env


def start_agent(home: Path, pack_dirs: Sequence[Path] | None = None) -> Server:
    """``postguard serve`` on a free port with its own directories under ``home``.

    Without ``pack_dirs`` it serves what it serves by default: the bundled packs.
    """
    port = free_port()
    command = [sys.executable, "-m", "agent", "serve", "--port", str(port)]
    for pack_dir in pack_dirs or ():
        command += ["--pack", str(pack_dir)]
    return _spawn(command, agent_env(home), port, home / "agent.log")


def pair(home: Path, server: Server) -> str:
    """Pair like the extension does: a one-time code from the CLI, exchanged for a token."""
    done = subprocess.run(
        [sys.executable, "-m", "agent", "pair", "--quiet"],
        env=agent_env(home),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        raise ServerError(f"postguard pair failed: {done.stderr.strip()}")
    status, body = _request(server.port, "POST", "/v1/pair", {"code": done.stdout.strip()})
    if status != 200:
        raise ServerError(f"POST /v1/pair answered {status}")
    token: str = json.loads(body)["token"]
    return token
