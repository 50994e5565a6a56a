"""``postguard install``: run the agent as this user's background service, from login on.

A systemd user unit on Linux, a LaunchAgent on macOS, a logon task on Windows; each
restarts the agent after a crash.  It also registers the native messaging host
(``postguard native-host``) with Chrome, Chromium and Edge, so the extension pairs by
itself (see :mod:`agent.service.nativehost`).  Running it again changes nothing that is already in
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
            "settings files. It also registers the native messaging host that lets the "
            "browser extension pair by itself (Chrome, Chromium, Edge; for this user). Safe "
            "to run again; `postguard uninstall` removes it."
        ),
    )
    add_service_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.config import load_settings
    from agent.service.apply import install
    from agent.service.build import plan_for

    # The native messaging host answers the extensions the agent accepts, no others.
    origins = load_settings().settings.allowed_origins
    plan = plan_for(args.platform, dry_run=args.dry_run, origins=origins)
    install(plan, dry_run=args.dry_run, say=print, warn=_warn)
    return 0


def _warn(message: str) -> None:
    print(f"postguard: {message}", file=sys.stderr)
