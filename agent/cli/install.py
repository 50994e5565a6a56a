"""``postguard install``: run the agent as this user's background service, from login on.

A systemd user unit on Linux, a LaunchAgent on macOS, a logon task on Windows; each
restarts the agent after a crash.  Running it again changes nothing that is already in
place; ``--dry-run`` prints what it would write and run.  ``postguard uninstall`` undoes it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_service_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be written and run; change nothing"
    )
    parser.add_argument(
        "--platform",
        choices=("linux", "macos", "windows"),
        help="with --dry-run: show another platform's files (default: this machine's)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "install",
        help="run the agent as this user's background service (starts at login)",
        description=(
            "Install the agent as a per-user service that starts at login and restarts after "
            "a crash: a systemd user unit (Linux), a LaunchAgent (macOS) or a logon task "
            "(Windows). It runs `serve` with this installation's Python and reads the usual "
            "settings files. Safe to run again; `postguard uninstall` removes it."
        ),
    )
    add_service_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.service.apply import install
    from agent.service.build import plan_for

    plan = plan_for(args.platform, dry_run=args.dry_run)
    install(plan, dry_run=args.dry_run, say=print, warn=_warn)
    return 0


def _warn(message: str) -> None:
    print(f"postguard: {message}", file=sys.stderr)
