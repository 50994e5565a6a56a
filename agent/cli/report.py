"""``postguard report``: overrides and false-positive reports per rule, from a collector DB."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

from agent.errors import UserError
from agent.fsutil import write_atomic

# agent.report.model.DEFAULT_STALE_DAYS and agent.report.fleet.MAX_STALE_DAYS, spelled out
# for the same reason (a test keeps them equal).
STALE_DAYS_DEFAULT: Final = 7
STALE_DAYS_MAX: Final = 3650
# The names in agent.report.formats.FORMATS, spelled out so that building the command line
# does not import the report renderers (a test keeps the two equal).
FORMAT_NAMES: Final = ("csv", "html", "json", "table")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report",
        help="override and false-positive report from a collector database",
        description="Per rule and category: overrides with reasons, false-positive reports, "
        "acknowledgement coverage, by pack version over time; ends with the rules most worth "
        "revising; then the fleet: each device's latest heartbeat, flagged when it runs an "
        "older pack set, is unpaired, is not uploading or has not been seen.",
    )
    parser.add_argument("--db", required=True, type=Path, help="the collector's SQLite file")
    parser.add_argument("--since", type=_since, help="only events on or after DATE (YYYY-MM-DD)")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="table")
    parser.add_argument("--out", type=Path, help="write to FILE instead of standard output")
    parser.add_argument(
        "--stale-days",
        type=_stale_days,
        default=STALE_DAYS_DEFAULT,
        metavar="N",
        help="fleet: flag a device not seen, or not uploading, for N days "
        f"(default {STALE_DAYS_DEFAULT})",
    )
    parser.set_defaults(func=run)


def _since(value: str) -> datetime:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-01") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _stale_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a whole number of days") from None
    if not 1 <= days <= STALE_DAYS_MAX:
        raise argparse.ArgumentTypeError(f"must be 1 to {STALE_DAYS_MAX} days")
    return days


def run(args: argparse.Namespace) -> int:
    from agent.report.aggregate import build_report
    from agent.report.events import load_events
    from agent.report.fleet import load_fleet
    from agent.report.formats import FORMATS

    now = datetime.now(UTC)
    events = load_events(args.db, args.since, now)
    fleet = load_fleet(args.db, now, args.stale_days)
    report = build_report(events, args.since, now, fleet)
    # Rendered and encoded whole before anything is written: a failure leaves stdout and
    # --out untouched.
    text = FORMATS[args.format](report)
    data = text.encode("utf-8")
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        # A new file renamed over the old: a report that fails half-way, or a full disk,
        # leaves the previous report as it was, never an empty or truncated one.
        write_atomic(args.out, data)
    except OSError as exc:
        raise UserError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"wrote {args.out} ({len(report.rules)} rules, {report.totals.events} events)")
    return 0
