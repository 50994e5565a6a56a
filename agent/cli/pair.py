"""``postguard pair``: a one-time code that pairs the extension with this agent; ``--revoke``.

Before it prints a code it checks that the program on the agent's port is this user's agent
(:mod:`agent.cli.pair_verify`), and refuses (exit 1, one line) when something else answers
there.  Pairing issues a new token and retires the one before; ``--revoke`` retires the
current token without issuing one, so the paired browser must pair again.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.config import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pair",
        help="print a one-time pairing code for the extension (or --revoke the pairing)",
        description="Check that the PostGuard agent holds its port, then print a one-time "
        "code, valid for 5 minutes, that the extension exchanges for a new token (the token "
        "of a browser paired before stops working). Refuses, with exit 1, when another "
        "program answers on the agent's port. With --revoke: retire the current token, so "
        "the paired browser must pair again.",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the code")
    parser.add_argument("--port", type=int, help="the agent's port (default: the configured one)")
    parser.add_argument(
        "--revoke",
        action="store_true",
        help="retire the current token and any pending code; every request with it gets 401",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.config import load_settings

    settings = load_settings({"port": args.port} if args.port else None).settings
    if args.revoke:
        return _revoke(settings, quiet=args.quiet)

    from agent.cli.pair_verify import Verdict, verify_agent
    from agent.security.pairing import CODE_TTL, issue_code

    check = verify_agent(settings)
    if check.verdict is Verdict.IMPOSTOR:
        print(
            f"postguard: no pairing code printed: the program on {check.address} is not your "
            f"PostGuard agent ({check.why}); stop it, then start the agent (postguard serve)",
            file=sys.stderr,
        )
        return 1
    issued = issue_code(settings.data_dir)
    if check.verdict is Verdict.NOT_RUNNING:
        print(
            f"postguard: nothing answers on {check.address} yet: start the agent (postguard "
            "serve) before you enter the code",
            file=sys.stderr,
        )
    if args.quiet:
        print(issued.code)
        return 0
    minutes = int(CODE_TTL.total_seconds() // 60)
    if check.verdict is Verdict.VERIFIED:
        print(f"Checked: your PostGuard agent answers on {check.address}.")
    print(f"Pairing code: {issued.code}")
    print(f"Enter it in the PostGuard extension within {minutes} minutes. It works once.")
    print("Pairing issues a new token: a browser paired before must pair again.")
    return 0


def _revoke(settings: Settings, *, quiet: bool) -> int:
    from agent.security.pairing import withdraw_code
    from agent.security.secrets import SecretStore
    from agent.security.tokens import TokenBook

    TokenBook(SecretStore(settings.config_dir), settings.data_dir).revoke()
    withdraw_code(settings.data_dir)
    if not quiet:
        print("Revoked: the paired browser's token no longer works (the agent answers 401).")
        print("Run `postguard pair` to pair again.")
    return 0
