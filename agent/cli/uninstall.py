"""``postguard uninstall``: stop the agent's service and remove every file ``install`` wrote.

Settings, the audit log and the agent's logs stay (see docs/deploy.md to remove those).
"""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.install import add_service_options


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "uninstall",
        help="stop the agent's background service and remove it",
        description=(
            "Stop the per-user service `postguard install` set up and remove the files it "
            "wrote. Safe to run when nothing is installed. Settings, data and logs stay."
        ),
    )
    add_service_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.service.apply import uninstall
    from agent.service.build import plan_for

    uninstall(plan_for(args.platform, dry_run=args.dry_run), dry_run=args.dry_run, say=print)
    return 0
