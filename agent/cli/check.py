"""``postguard check``: check a draft (or a JSON-lines archive of drafts) against packs."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

# The values of agent.engine.result.Platform, spelled out so that building the command line
# does not import the engine (a test keeps the two equal).
PLATFORMS: Final = ("linkedin", "x")


def add_pack_option(
    parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup,
    default: str = "the bundled packs",
) -> None:
    """``--pack DIR`` (repeatable), as every command that checks posts reads it."""
    parser.add_argument(
        "--pack",
        dest="packs",
        action="append",
        type=Path,
        metavar="DIR",
        help=f"pack directory, in layer order; repeatable (default: {default})",
    )


def add_now_option(parser: argparse.ArgumentParser) -> None:
    """``--now TIME``: the time that decides time-bound rules."""
    parser.add_argument(
        "--now",
        type=parse_time,
        default=None,
        metavar="TIME",
        help="ISO 8601 time that decides time-bound rules (default: now)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check a draft post against policy packs",
        description=(
            "Check a draft against policy packs: by default the ones this machine's agent"
            " enforces (the last good synced set, else the configured or bundled packs)."
            " Exit 0 when nothing is at warn or above, 1 when something is, 2 on a usage,"
            " input or pack error."
        ),
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE", help="draft (- = stdin)")
    parser.add_argument("--platform", choices=PLATFORMS, default=PLATFORMS[0])
    packs = parser.add_mutually_exclusive_group()
    add_pack_option(packs, default="the packs this machine's agent enforces")
    packs.add_argument(
        "--bundled",
        action="store_true",
        help="check against the bundled packs, not the ones the agent enforces",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='read one {"text", "platform"} object per line, write one result per line',
    )
    add_now_option(parser)
    parser.set_defaults(func=run)


def parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time (e.g. 2026-12-20T09:00:00Z)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def run(args: argparse.Namespace) -> int:
    from agent.cli.check_input import read_text
    from agent.cli.check_jsonl import EXIT_FINDINGS, EXIT_OK, result_json, run_jsonl
    from agent.cli.check_report import render_text
    from agent.engine.engine import Engine
    from agent.engine.result import Platform, Verdict
    from agent.packs.compile import compile_dirs
    from agent.paths import BUNDLED_PACKS

    def engine_for_args() -> Engine:
        if args.packs or args.bundled:
            return compile_dirs(args.packs or list(BUNDLED_PACKS))
        from agent.cli.check_packs import load_enforced

        return load_enforced(compile_dirs)

    now: datetime = args.now or datetime.now(UTC)
    platform = Platform(args.platform)
    if args.jsonl:
        return run_jsonl(engine_for_args(), args.file, platform, now)
    text = read_text(args.file)
    engine = engine_for_args()
    result = engine.check(text, platform, now)
    if args.format == "json":
        print(result_json(result, indent=2))
    else:
        name = "-" if args.file == "-" else args.file
        print(render_text(text, result, name=name))
    return EXIT_OK if result.verdict is Verdict.OK else EXIT_FINDINGS
