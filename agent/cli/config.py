"""``postguard config show|validate``: the effective settings, and a file checked before use."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("config", help="show the agent's settings or validate a file")
    sub = parser.add_subparsers(dest="config_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser(
        "show",
        help="print the effective settings and the source of each",
        description="Precedence: managed file > command line > user file > env > default.",
    )
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=run_show)
    validate = sub.add_parser(
        "validate",
        help="check a settings file (managed or user config.toml) before rolling it out",
        description=(
            "Report every problem the agent would refuse FILE for, one per line as"
            " FILE:LINE: KEY: problem (unknown keys with a suggestion, wrong types, values"
            " out of range, sync settings). Exit 0 when valid, 1 when not, 2 when FILE"
            " cannot be read."
        ),
    )
    validate.add_argument("file", type=Path, metavar="FILE", help="the config.toml to check")
    validate.set_defaults(func=run_validate)


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


def run_validate(args: argparse.Namespace) -> int:
    from agent.cli.config_validate import MAX_PROBLEMS, validate_settings_file

    problems = validate_settings_file(args.file)
    if not problems:
        print(f"{args.file}: valid")
        return 0
    for problem in problems[:MAX_PROBLEMS]:
        print(problem.render(args.file))
    if len(problems) > MAX_PROBLEMS:
        print(f"... and {len(problems) - MAX_PROBLEMS} more")
    print(f"{args.file}: {len(problems)} problem(s); the agent would refuse this file")
    return 1
