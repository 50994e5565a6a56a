"""What ``postguard serve`` loads before it answers: only what serving needs.

Start-up time is mostly imports, so the start path is pinned here: the one CLI command
named, no keyring on a device whose secrets are in the file, no sync or upload machinery
until it has something to do, no other command's modules.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from agent_helpers import CORE_PACK, EXTRA_PACK

from agent.cli import COMMANDS, named_command

# Stands in for asyncio.run: report what is loaded at the moment the agent would start
# serving, then return instead of serving.
_PROBE = """
import asyncio, json, sys
def _report(main):
    main.close()
    print(json.dumps(sorted(sys.modules)))
asyncio.run = _report
from agent.cli import main
raise SystemExit(main(["serve", "--port", sys.argv[1]]))
"""
NOT_AT_START = (
    "agent.sync.service",
    "agent.sync.syncer",
    "agent.events.upload",
    "cryptography",
    *(f"agent.cli.{name}" for name in COMMANDS if name != "serve"),
)


@pytest.mark.parametrize(
    ("argv", "registered"),
    [
        (["serve", "--port", "47601"], ("serve",)),
        (["--debug", "status", "--json"], ("status",)),
        (["check", "-"], ("check",)),
        (["-h"], COMMANDS),
        (["--help", "serve"], COMMANDS),
        ([], COMMANDS),
        (["--version"], COMMANDS),
        (["no-such-command"], COMMANDS),
    ],
)
def test_only_the_named_command_is_registered(argv: list[str], registered: tuple[str]) -> None:
    assert named_command(argv) == registered


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _loaded_at_start(tmp_path: Path) -> set[str]:
    env = {
        **os.environ,
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
        "POSTGUARD_PACK_DIRS": os.pathsep.join([str(CORE_PACK), str(EXTRA_PACK)]),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


@pytest.mark.slow
def test_a_start_loads_only_what_serving_needs(tmp_path: Path) -> None:
    first = _loaded_at_start(tmp_path)
    assert "aiohttp.web" in first and "agent.app" in first  # the probe did reach serving
    assert "keyring" in first  # a first start asks the keyring, finds none, writes the file
    assert _loaded(first, NOT_AT_START) == []
    again = _loaded_at_start(tmp_path)
    # The secrets are now in the 0600 file, which is authoritative: no keyring import.
    assert _loaded(again, ("keyring", *NOT_AT_START)) == []
