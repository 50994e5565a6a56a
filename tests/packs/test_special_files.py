"""A FIFO or a link to a device where a pack file should be: refused at once, never read.

Run as real processes with a time limit and a memory cap, so a regression fails the test
instead of hanging it or eating the machine.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.engine.packfiles import rule_yaml, write_pack

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and /dev/zero")

CLASSIFIER = "match: {type: classifier, model: m, label: financial, anchor: [shares]}"


def _limited() -> None:
    cap = 3 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POSTGUARD_CONFIG_DIR": str(tmp_path / "config"),
        "POSTGUARD_SITE_CONFIG_DIR": str(tmp_path / "site"),
        "POSTGUARD_DATA_DIR": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_limited,
    )


def _plant(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize(
    ("where", "rule"),
    [
        ("rules/extra.yaml", rule_yaml("match: {type: phrases, phrases: [secret]}")),
        ("lists/extra.yaml", rule_yaml("match: {type: phrases, phrases: [secret]}")),
        ("pack.yaml", rule_yaml("match: {type: phrases, phrases: [secret]}")),
        ("models/m.json", rule_yaml(CLASSIFIER)),
    ],
)
def test_pack_lint_refuses_a_special_file(tmp_path: Path, kind: str, where: str, rule: str) -> None:
    pack = write_pack(tmp_path, [rule])
    _plant(pack / where, kind)
    done = _run(tmp_path, "pack", "lint", str(pack))
    assert done.returncode == 2, done.stderr
    assert f"{pack / where}: cannot read: not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_serve_refuses_a_special_file_instead_of_hanging(tmp_path: Path, kind: str) -> None:
    pack = write_pack(tmp_path, [rule_yaml("match: {type: phrases, phrases: [secret]}")])
    _plant(pack / "rules" / "zz.yaml", kind)
    port = _free_port()
    done = _run(tmp_path, "serve", "--pack", str(pack), "--port", str(port))
    assert done.returncode == 2, done.stderr
    assert "zz.yaml: cannot read: not a regular file" in done.stderr


def test_a_link_to_a_regular_file_still_loads(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, [rule_yaml("match: {type: phrases, phrases: [secret]}")])
    shared = tmp_path / "shared.yaml"
    shutil.move(pack / "rules" / "rules.yaml", shared)
    (pack / "rules" / "rules.yaml").symlink_to(shared)
    done = _run(tmp_path, "pack", "lint", str(pack))
    assert done.returncode == 0, done.stderr


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
