"""Run the agent as a child process; start it again after a crash; keep its log bounded.

Used where the service manager does not restart a crashed program (a Windows logon task):

    python -I -m agent.service.supervise --log FILE [--env KEY=VALUE ...] -- \
        python -I -m agent serve

A clean exit (0) ends the supervisor too, so stopping the agent stops the service.  Any
other exit is restarted after a pause that doubles from 5 s up to 5 min and starts again
at 5 s once a run has lasted 10 min.  The log is appended to, and moved to ``FILE.1`` when
it passes 10 MiB at a start, so it never holds more than two such files.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Final

MAX_LOG_BYTES: Final = 10 * 1024 * 1024
FIRST_DELAY_S: Final = 5.0
MAX_DELAY_S: Final = 300.0
STABLE_RUN_S: Final = 600.0


def rotate(log: Path) -> None:
    try:
        if log.stat().st_size > MAX_LOG_BYTES:
            os.replace(log, log.with_name(log.name + ".1"))
    except FileNotFoundError:
        pass


def note(log: Path, message: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    with log.open("a", encoding="utf-8") as handle:
        handle.write(f"{stamp} postguard supervisor: {message}\n")


def supervise(command: Sequence[str], log: Path, env: dict[str, str]) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    child: subprocess.Popen[bytes] | None = None
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    for name in ("SIGTERM", "SIGINT", "SIGBREAK"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    delay = FIRST_DELAY_S
    while True:
        rotate(log)
        started = time.monotonic()
        with log.open("ab") as out:
            # The command is the service's own, from the task definition install wrote.
            child = subprocess.Popen(list(command), stdout=out, stderr=out, env=env)  # noqa: S603
        code = child.wait()
        if stopping or code == 0:
            return 0
        ran_s = time.monotonic() - started
        pause = FIRST_DELAY_S if ran_s >= STABLE_RUN_S else delay
        delay = min(pause * 2, MAX_DELAY_S)
        note(log, f"the agent exited with {code} after {ran_s:.0f} s; restarting in {pause:.0f} s")
        deadline = time.monotonic() + pause
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.2)
        if stopping:
            return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.service.supervise")
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("the agent's command is missing after --")
    env = dict(os.environ)
    for pair in args.env:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"--env {pair!r}: expected KEY=VALUE")
        env[key] = value
    return supervise(command, args.log, env)


if __name__ == "__main__":
    sys.exit(main())
