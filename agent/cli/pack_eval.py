"""``postguard pack eval``: recall and false alarms of packs on a labelled corpus of posts."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from agent.cli.check import add_now_option, add_pack_option

# The values of agent.engine.result.Severity, spelled out so that building the command line
# does not import the engine (a test keeps the two equal).
SEVERITIES: Final = ("info", "warn", "block")
EXIT_OK, EXIT_BELOW_THRESHOLD = 0, 1


def register(pack_subparsers: Any) -> None:
    parser: argparse.ArgumentParser = pack_subparsers.add_parser(
        "eval",
        help="measure packs on a labelled corpus: recall per category, false alarms",
        description=(
            "Check every post of a labelled JSON-lines corpus and report recall per category,"
            " false alarms on benign posts and the numbers per rule (docs/pack-eval.md)."
            " Exit 1 when --min-recall or --max-false-alarms is not met, 2 on a usage,"
            " input or pack error."
        ),
    )
    parser.add_argument(
        "corpus", nargs="+", metavar="CORPUS.jsonl", help="labelled posts, one JSON object a line"
    )
    add_pack_option(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--min-severity",
        choices=SEVERITIES,
        default="warn",
        help="the lowest severity that counts as raising a category (default: warn)",
    )
    parser.add_argument(
        "--min-recall",
        type=parse_recall,
        metavar="R",
        help="exit 1 when overall recall is below R (0.9 or 90%%)",
    )
    parser.add_argument(
        "--max-false-alarms",
        type=parse_false_alarm_limit,
        metavar="F",
        help="exit 1 when more than F benign posts are flagged (a count, 3, or a rate, 1%%)",
    )
    parser.add_argument(
        "--show",
        type=parse_show,
        default=20,
        metavar="N",
        help="list at most N misses and N false alarms (default 20; 0 = all)",
    )
    add_now_option(parser)
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class FalseAlarmLimit:
    count: int | None = None
    rate: float | None = None


def parse_recall(value: str) -> float:
    fraction = _fraction(value)
    if fraction is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a recall between 0 and 1 (e.g. 0.9) or a percentage (e.g. 90%)"
        )
    return fraction


def parse_false_alarm_limit(value: str) -> FalseAlarmLimit:
    text = value.strip()
    if text.isdigit():
        return FalseAlarmLimit(count=int(text))
    rate = _fraction(text) if text.endswith("%") else None
    if rate is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of posts (e.g. 3) or a percentage (e.g. 1%)"
        )
    return FalseAlarmLimit(rate=rate)


def parse_show(value: str) -> int:
    if not value.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number (0 = all)")
    return int(value)


def _fraction(value: str) -> float | None:
    text = value.strip()
    percent = text.endswith("%")
    try:
        number = float(text.removesuffix("%"))
    except ValueError:
        return None
    if percent:
        number /= 100
    return number if 0.0 <= number <= 1.0 else None


def run(args: argparse.Namespace) -> int:
    from agent.cli.pack_eval_input import read_corpus
    from agent.cli.pack_eval_report import render_text, threshold_failure
    from agent.engine.result import Severity
    from agent.packs.compile import compile_dirs
    from agent.packs.evaluate import Evaluation, check_thresholds
    from agent.paths import BUNDLED_PACKS

    # The same default as `postguard check`, so a corpus measures what employees get.
    engine = compile_dirs(args.packs or list(BUNDLED_PACKS))
    now: datetime = args.now or datetime.now(UTC)
    evaluation = Evaluation(
        engine.packs, engine.rules, min_severity=Severity(args.min_severity), show=args.show
    )
    for ref, post in read_corpus(args.corpus):
        evaluation.add(ref, post, engine.check(post.text, post.platform, now))
    report = evaluation.report()
    limit: FalseAlarmLimit = args.max_false_alarms or FalseAlarmLimit()
    thresholds = check_thresholds(
        report,
        min_recall=args.min_recall,
        max_false_alarms=limit.count,
        max_false_alarm_rate=limit.rate,
    )
    report = report.model_copy(update={"thresholds": thresholds})
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(render_text(report))
    failed = [t for t in thresholds if not t.met]
    for threshold in failed:
        print(f"postguard: {threshold_failure(threshold)}", file=sys.stderr)
    return EXIT_BELOW_THRESHOLD if failed else EXIT_OK
