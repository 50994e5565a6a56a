"""``postguard status``: the running agent's view, or the on-disk record when it is not running.

The token is only sent after the agent proved it holds it (the challenge of
docs/api.md), so a process squatting the port learns nothing.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show the agent's packs, sync state and last error",
        description="Ask the running agent for its status; when it is not running, show what "
        "is recorded on disk (the last sync and the last good packs). Exit 0 when the agent "
        "answers and sync is ok, pending or not configured; 1 when the agent is not running "
        "or sync is failing (error) or the packs have expired (stale).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.cli.status_view import show

    return show(args)
