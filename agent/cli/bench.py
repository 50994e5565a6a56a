"""``postguard bench``: measure the engine and the agent on this machine; print a table."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from agent.errors import UserError

# agent.bench.config.SECTIONS, spelled out: importing agent.bench loads the whole suite, and
# every `postguard` command builds this parser (a test in tests/cli keeps the two equal).
SECTIONS: tuple[str, ...] = ("engine", "compile", "start", "http")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="measure check latency, compile time, memory and HTTP throughput",
        description=(
            "Measure the engine against generated phrase packs and two baselines, pack "
            "compile time and memory, agent start, and /v1/check over loopback HTTP; "
            "print a table and check the performance budgets (docs/performance.md)."
        ),
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes and short runs: a smoke test, not budgets"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only these sections (repeatable): {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--extension-latency",
        type=Path,
        metavar="FILE",
        help="keystroke→highlight recording of the browser end-to-end test "
        "(default: artifacts/e2e-latency.json when present)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a measured budget is missed"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Memory and CPU come from psutil, an optional extra: the agent itself never needs it.
    if importlib.util.find_spec("psutil") is None:
        raise UserError(
            "bench needs psutil, which is not installed: "
            "pip install 'postguard[bench]' (or pip install psutil)"
        )
    from agent.bench.config import SECTIONS, BenchConfig
    from agent.bench.report import render_table
    from agent.bench.runner import run_bench, stderr_progress

    if args.json is not None and not args.json.parent.is_dir():
        raise UserError(f"--json: directory {args.json.parent} does not exist")
    sections = tuple(args.only) if args.only else SECTIONS
    config = BenchConfig.quick_config(sections) if args.quick else BenchConfig(sections=sections)
    report = run_bench(config, args.extension_latency, stderr_progress)
    print(render_table(report), end="")
    if args.json is not None:
        try:
            args.json.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {args.json}: {exc.strerror}") from exc
    missed = any(budget.met is False for budget in report.budgets)
    return 1 if args.strict and missed else 0
