"""``postguard pair``: print a one-time code that pairs the extension with this agent."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pair",
        help="print a one-time pairing code for the extension",
        description="Print a one-time code, valid for 5 minutes, that the extension (or "
        "`curl -d '{\"code\": ...}' .../v1/pair`) exchanges for the agent's token. Works "
        "whether or not the agent is running.",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the code")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.config import load_settings
    from agent.security.pairing import CODE_TTL, issue_code

    settings = load_settings().settings
    issued = issue_code(settings.data_dir)
    if args.quiet:
        print(issued.code)
        return 0
    minutes = int(CODE_TTL.total_seconds() // 60)
    print(f"Pairing code: {issued.code}")
    print(f"Enter it in the PostGuard extension within {minutes} minutes. It works once.")
    return 0
