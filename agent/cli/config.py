"""``postguard config show``: the effective settings and where each value came from."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="show the agent's settings")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser(
        "show",
        help="print the effective settings and the source of each",
        description="Precedence: managed file > command line > user file > env > default.",
    )
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    from agent.config import load_settings

    loaded = load_settings()
    values = loaded.settings.model_dump(mode="json")
    if values.get("upload", {}).get("collector_token"):
        values["upload"]["collector_token"] = "***"  # noqa: S105 - a secret: never echoed
    if args.json:
        print(json.dumps({"settings": values, "sources": loaded.sources}, indent=2))
        return 0
    print(f"managed file: {loaded.locations.managed_file}")
    print(f"user file:    {loaded.locations.user_file}")
    print(f"data dir:     {loaded.locations.data_dir}")
    print()
    width = max(len(key) for key in values)
    for key, value in values.items():
        print(f"{key:<{width}}  {json.dumps(value)}  ({loaded.sources.get(key, 'default')})")
    return 0
