"""``postguard native-host``: the Chrome native messaging host (Chrome starts it, not people).

``postguard install`` registers it for Chrome, Chromium and Edge; the extension asks it for
this user's agent port and a fresh pairing code, then pairs without anyone typing a code.
See :mod:`agent.native.host` for what it answers.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "native-host",
        help="the browser extension's native messaging host (started by Chrome)",
        description="Answer one Chrome native messaging request on stdin/stdout: the agent's "
        "port, or a fresh one-time pairing code once the program on that port has proved it "
        "is this user's agent. Chrome starts it through the host manifest `postguard "
        "install` registers; it is not meant to be run by hand.",
    )
    # Chrome passes the calling extension's origin, and on Windows the browser window.
    parser.add_argument("origin", nargs="?", help="the calling extension, chrome-extension://ID/")
    parser.add_argument("--parent-window", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.native.stdio import serve_once

    return serve_once(sys.stdin.buffer, sys.stdout.buffer, args.origin)
