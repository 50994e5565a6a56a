from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.cli import main

HERE = Path(__file__).parent
REPO = HERE.parent.parent
CORE_PACK = REPO / "tests" / "engine" / "fixtures" / "core"
POSTGUARD = Path(sys.executable).parent / "postguard"
NOW = "2026-12-20T09:00:00Z"  # inside the fixture pack's quiet period


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``postguard`` in-process with the given arguments and stdin."""

    def run(*args: str, stdin: bytes = b"") -> Run:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_binary(*args: str, stdin: bytes = b"") -> Run:
    """Run the installed ``postguard`` console script in a real process."""
    done = subprocess.run(
        [str(POSTGUARD), *args], input=stdin, capture_output=True, timeout=60, check=False
    )
    return Run(done.returncode, done.stdout.decode(), done.stderr.decode())
