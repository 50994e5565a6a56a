"""The real ``postguard serve`` process: binding, keyring fallback, SIGKILL mid-burst (slow)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import psutil
import pytest
from agent_helpers import CORE_PACK, EXTRA_PACK, override_body, run_cli

pytestmark = pytest.mark.slow


def _free_port(*taken: int) -> int:
    """A loopback port free now; ``taken``: ports picked for servers not started yet."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in taken:
            return port


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
        "POSTGUARD_PORT": str(port),
        "POSTGUARD_PACK_DIRS": os.pathsep.join([str(CORE_PACK), str(EXTRA_PACK)]),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


class Agent:
    def __init__(self, tmp_path: Path, port: int) -> None:
        self.env = _env(tmp_path, port)
        self.port = port
        self.log = tmp_path / f"agent-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "agent", "serve"], env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("agent did not start: " + self.log.read_text())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def pair(self) -> str:
        code = run_cli(self.env, "pair", "--quiet").stdout.strip()
        import json
        import urllib.request

        request = urllib.request.Request(
            self.url("/v1/pair"),
            data=json.dumps({"code": code}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            token: str = json.loads(reply.read())["token"]
        return token


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[Agent]:
    running = Agent(tmp_path, _free_port())
    yield running
    running.stop(signal.SIGKILL)


def test_taken_port_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    port = _free_port()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        done = run_cli(_env(tmp_path, port), "serve")
    assert done.returncode != 0
    assert f"port {port} is already in use" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_non_loopback_host_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path, _free_port())
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text('host = "0.0.0.0"\n')
    done = run_cli(env, "serve")
    assert done.returncode == 2
    assert "0.0.0.0" in done.stderr and "loopback" in done.stderr
    assert "Traceback" not in done.stderr


def test_fail_keyring_starts_warns_pairs_and_listens_on_loopback_only(agent: Agent) -> None:
    agent.start()
    token = agent.pair()
    assert len(token) >= 43
    assert agent.proc is not None
    listening = [
        c.laddr
        for c in psutil.Process(agent.proc.pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert listening
    assert {addr.ip for addr in listening} <= {"127.0.0.1", "::1"}
    secrets_file = Path(agent.env["POSTGUARD_CONFIG_DIR"]) / "secrets.json"
    assert secrets_file.stat().st_mode & 0o777 == 0o600
    agent.stop()
    log = agent.log.read_text()
    assert log.count("keyring unavailable") == 1
    assert token not in log


async def _burst(agent: Agent, token: str, total: int) -> tuple[list[str], int]:
    """Send overrides 16 at a time; SIGKILL the agent part-way. Returns acknowledged ids."""
    acknowledged: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    killed_after = total // 3

    async def one(session: aiohttp.ClientSession) -> None:
        try:
            async with session.post(
                agent.url("/v1/overrides"), json=override_body(), headers=headers
            ) as reply:
                if reply.status == 200:
                    acknowledged.append((await reply.json())["override_id"])
        except (TimeoutError, aiohttp.ClientError):
            pass  # the agent died mid-request: not acknowledged

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        sent = 0
        while sent < total:
            await asyncio.gather(*(one(session) for _ in range(16)))
            sent += 16
            if len(acknowledged) >= killed_after and agent.proc and agent.proc.poll() is None:
                # Kill while the next batch is in flight.
                batch = asyncio.gather(*(one(session) for _ in range(16)))
                await asyncio.sleep(0.005)
                agent.proc.send_signal(signal.SIGKILL)
                await batch
                break
    return acknowledged, sent


async def test_sigkill_mid_burst_loses_no_acknowledged_override(agent: Agent) -> None:
    agent.start()
    token = agent.pair()
    acknowledged, _ = await _burst(agent, token, total=600)
    assert agent.proc is not None
    agent.proc.wait(timeout=10)
    assert len(acknowledged) >= 100
    agent.start()  # restart on the same data
    verify = run_cli(agent.env, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    shown = run_cli(agent.env, "audit", "show", "--json")
    stored = shown.stdout
    missing = [event_id for event_id in acknowledged if event_id not in stored]
    assert not missing, f"{len(missing)} acknowledged overrides lost"
    await _override(agent, token)  # the restarted agent appends to the same chain
    assert run_cli(agent.env, "audit", "verify").returncode == 0


# -- a burst, SIGKILL, restart: every event reaches the collector, each once -------------------

COLLECTOR_TOKEN = "pgc_serve-test-collector-token-0123456789"
UPLOAD_BATCH = 20
_STORED = re.compile(r"stored (\d+) new of (\d+) events")


class CollectorProcess:
    """``postguard collector serve`` on a loopback port, logging to a file."""

    def __init__(self, tmp_path: Path, agent_port: int) -> None:
        self.port = _free_port(agent_port)  # the agent's is picked but not bound yet
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp_path / "collector.sqlite3"
        self.log = tmp_path / "collector.log"
        command = [sys.executable, "-m", "agent", "collector", "serve", "--db", str(self.db)]
        command += ["--port", str(self.port), "--token", COLLECTOR_TOKEN]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(command, stdout=out, stderr=out)
        _wait_until(self._listening, 30, lambda: "collector did not start: " + self.text())

    def _listening(self) -> bool:
        assert self.proc.poll() is None, self.text()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def stored_ids(self) -> list[str]:
        with contextlib.closing(sqlite3.connect(self.db)) as db:
            return [row[0] for row in db.execute("SELECT event_id FROM events")]

    def resent(self) -> int:
        """Events that arrived again after being stored (their first answer was lost)."""
        counts = [(int(new), int(of)) for new, of in _STORED.findall(self.text())]
        assert counts, "the collector logged no batch: " + self.text()
        return sum(of - new for new, of in counts)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _wait_until(condition: Callable[[], bool], seconds: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(why())
        time.sleep(0.1)


@pytest.fixture
def collector(tmp_path: Path, agent: Agent) -> Iterator[CollectorProcess]:
    running = CollectorProcess(tmp_path, agent.port)
    yield running
    running.stop()


async def _override(agent: Agent, token: str) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            agent.url("/v1/overrides"),
            json=override_body(),
            headers={"Authorization": f"Bearer {token}"},
        ) as reply,
    ):
        assert reply.status == 200, await reply.text()
        override_id: str = (await reply.json())["override_id"]
    return override_id


def _audit_ids(agent: Agent, kind: str | None = None) -> list[str]:
    path = Path(agent.env["POSTGUARD_DATA_DIR"]) / "audit.sqlite3"
    query = "SELECT event_id FROM events" + (" WHERE kind = ?" if kind else "") + " ORDER BY seq"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return [row[0] for row in db.execute(query, (kind,) if kind else ())]


async def test_sigkill_mid_burst_then_restart_delivers_each_event_once(
    agent: Agent, collector: CollectorProcess
) -> None:
    enrolled = run_cli(agent.env, "enroll", collector.url, "--token", COLLECTOR_TOKEN)
    assert enrolled.returncode == 0, enrolled.stderr
    agent.env["POSTGUARD_UPLOAD__INTERVAL_S"] = "0.5"
    agent.env["POSTGUARD_UPLOAD__BATCH_SIZE"] = str(UPLOAD_BATCH)
    agent.start()
    token = agent.pair()
    first = await _override(agent, token)
    # Uploading has begun (it starts a moment after the agent): the kill lands among uploads.
    _wait_until(lambda: first in collector.stored_ids(), 60, agent.log_text)
    acknowledged, _ = await _burst(agent, token, total=600)
    acknowledged.append(first)
    assert agent.proc is not None
    agent.proc.wait(timeout=20)
    assert len(acknowledged) >= 100
    agent.start()  # the same data and enrolment; the uploader resumes from the audit log
    # Read the log again while waiting: the restart records a heartbeat of its own.
    _wait_until(
        lambda: set(collector.stored_ids()) >= set(_audit_ids(agent)),
        120,
        lambda: (
            f"{len(collector.stored_ids())} of {len(_audit_ids(agent))} uploaded: "
            + agent.log_text()
        ),
    )
    recorded = _audit_ids(agent)
    stored = collector.stored_ids()
    assert len(stored) == len(set(stored))
    assert set(stored) == set(recorded)  # everything recorded, and nothing else
    assert set(acknowledged) <= set(stored)  # none the API acknowledged is missing
    # Recorded but unanswered: requests that were in flight when the agent was killed
    # (the agent's own heartbeats, one per start, are recorded without a request).
    heartbeats = set(_audit_ids(agent, "heartbeat"))
    assert len(set(stored) - set(acknowledged) - heartbeats) <= 16
    # A batch is sent again only if the kill took its answer: at most one batch.
    assert collector.resent() <= UPLOAD_BATCH, collector.text()
