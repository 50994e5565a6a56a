"""``postguard pair`` and ``--revoke`` as real processes, against the real agent or a squatter.

A squatter is a real aiohttp server on a loopback port (pairing_support.Squatter) that
answers the challenge with a proof of a token of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_helpers import run_cli
from pairing_support import Squatter, agent_env, free_port, request, running_agent

from agent.api.routes import ROUTES

pytestmark = pytest.mark.slow

CODE = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
PUBLIC = {"/v1/health", "/v1/pair", "/v1/challenge"}


@pytest.fixture
def squatter() -> Iterator[Squatter]:
    server = Squatter().start()
    yield server
    server.stop()


def _pair(env: dict[str, str]) -> str:
    """Pair as a script does: a code from the CLI, sent as it is; the new token."""
    done = run_cli(env, "pair", "--quiet")
    assert done.returncode == 0, done.stderr
    status, answer = request(int(env["POSTGUARD_PORT"]), "/v1/pair", {"code": done.stdout.strip()})
    assert status == 200, answer
    token: str = answer["token"]
    return token


def _statuses(port: int, token: str) -> set[int]:
    """The statuses of every authenticated endpoint for ``token`` (empty bodies: 200 or 422
    with a good token)."""
    return {request(port, path, {}, token)[0] for method, path, _ in ROUTES if path not in PUBLIC}


def test_pair_refuses_to_print_a_code_for_a_squatter(tmp_path: Path, squatter: Squatter) -> None:
    env = agent_env(tmp_path, squatter.port)
    for args in (("pair",), ("pair", "--quiet")):
        done = run_cli(env, *args)
        assert done.returncode == 1
        assert done.stdout == "", "no code printed"
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
        assert f"127.0.0.1:{squatter.port} is not your PostGuard agent" in lines[0]
    assert squatter.paths() == ["/v1/challenge", "/v1/challenge"]
    assert all(auth is None for _, _, auth in squatter.seen), "the CLI sends it no token"
    assert not (tmp_path / "data" / "pairing.json").exists(), "no code was issued"


def test_pair_refuses_a_program_that_does_not_answer_the_challenge(tmp_path: Path) -> None:
    """Something that speaks HTTP on the port but is not the agent (here: a 404 server)."""
    import http.server
    import threading

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run_cli(agent_env(tmp_path, server.server_address[1]), "pair")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 1 and done.stdout == ""
    assert "did not answer the agent's challenge" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_pair_checks_the_real_agent_then_prints_a_code(tmp_path: Path) -> None:
    env = agent_env(tmp_path, free_port())
    with running_agent(env, tmp_path / "agent.log"):
        done = run_cli(env, "pair")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"your PostGuard agent answers on 127.0.0.1:{env['POSTGUARD_PORT']}" in done.stdout
    assert "Pairing code: " in done.stdout


def test_pair_with_nothing_listening_prints_the_code_and_says_so(tmp_path: Path) -> None:
    done = run_cli(agent_env(tmp_path, free_port()), "pair", "--quiet")
    assert done.returncode == 0
    assert CODE.match(done.stdout.strip())
    assert "nothing answers on 127.0.0.1:" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_revoke_and_re_pair_retire_tokens_of_a_running_agent(tmp_path: Path) -> None:
    env = agent_env(tmp_path, free_port())
    port = int(env["POSTGUARD_PORT"])
    with running_agent(env, tmp_path / "agent.log"):
        first = _pair(env)
        assert 401 not in _statuses(port, first)

        revoked = run_cli(env, "pair", "--revoke")
        assert revoked.returncode == 0, revoked.stderr
        assert "Revoked" in revoked.stdout
        assert _statuses(port, first) == {401}, "a revoked token gets 401 on every endpoint"

        second = _pair(env)
        assert 401 not in _statuses(port, second)
        third = _pair(env)
        assert _statuses(port, second) == {401}, "re-pairing retires the token before"
        assert 401 not in _statuses(port, third)
        # `postguard status` reads the token from the store and still reaches the agent.
        status = run_cli(env, "status", "--json")
        assert status.returncode == 0, status.stderr
        assert '"agent": null' not in status.stdout
    # The revocation holds across a restart, and the agent still starts.
    with running_agent(env, tmp_path / "agent2.log"):
        assert _statuses(port, first) == {401}
        assert 401 not in _statuses(port, third)
