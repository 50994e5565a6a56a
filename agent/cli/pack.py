"""``postguard pack``: author, test, hash, sign and publish policy packs like code."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.packs.testing import PackTestReport

# Further `pack` sub-commands shipped as their own modules (each has `register(subparsers)`).
EXTRA_SUBCOMMANDS: tuple[str, ...] = (
    "agent.cli.pack_init",
    "agent.cli.pack_publish",
    "agent.cli.pack_eval",
    "agent.cli.pack_train",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pack", help="create, lint, test, measure, hash, sign and publish policy packs"
    )
    sub = parser.add_subparsers(dest="pack_command", metavar="SUBCOMMAND")
    sub.required = True

    lint = sub.add_parser("lint", help="validate packs (exit 2 with file:line errors)")
    lint.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="packs, in layer order")
    lint.set_defaults(func=run_lint)

    test = sub.add_parser("test", help="run every rule's examples (exit 1 on a failure)")
    test.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="packs, in layer order")
    test.set_defaults(func=run_test)

    hash_ = sub.add_parser(
        "hash", help="turn a plain phrase list (one a line) into hashed_phrases YAML"
    )
    hash_.add_argument("file", nargs="?", default="-", metavar="FILE", help="phrases (- = stdin)")
    hash_.add_argument("--salt", metavar="HEX", help="salt to reuse (default: a new random one)")
    hash_.add_argument(
        "--no-check-values",
        dest="check_values",
        action="store_false",
        help="bare digests: slower checks, but nothing off a brute-force search for invented "
        "names (docs/pack-format.md)",
    )
    hash_.set_defaults(func=run_hash)

    for module_name in EXTRA_SUBCOMMANDS:
        importlib.import_module(module_name).register(sub)


def run_lint(args: argparse.Namespace) -> int:
    from agent.packs.loader import load_pack_set, pack_issues

    issues = pack_issues(args.dirs)
    if issues:
        for issue in issues:
            print(f"postguard: {issue.message}", file=sys.stderr)
        print(f"postguard: {len(issues)} problem(s) found", file=sys.stderr)
        return 2
    pack_set = load_pack_set(args.dirs)
    for pack in pack_set.packs:
        print(f"{pack.meta.id} {pack.meta.version}: ok, {len(pack.rules)} rules")
    return 0


def run_test(args: argparse.Namespace) -> int:
    from agent.packs.testing import run_pack_examples

    report = run_pack_examples(args.dirs)
    print_example_report(report)
    return 0 if report.ok else 1


def print_example_report(report: PackTestReport) -> None:
    """A summary line per pack on stdout, then each failing example on stderr."""
    for summary in report.packs:
        print(summary.line())
    for failure in report.failures:
        print(
            f"FAIL {failure.location}: {failure.pack.id}/{failure.rule_id} {failure.kind}"
            f" example {failure.example()}: expected {failure.expected}, got {failure.got}",
            file=sys.stderr,
        )


def run_hash(args: argparse.Namespace) -> int:
    from agent.cli.check_input import open_input
    from agent.packs import hashing

    stream = open_input(args.file)
    try:
        raw = stream.read(64 * 1024 * 1024 + 1)
    except OSError as exc:
        raise UserError(f"cannot read {args.file}: {exc.strerror}") from None
    if len(raw) > 64 * 1024 * 1024:
        raise UserError("phrase list is larger than 64 MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"phrase list is not valid UTF-8 (bad byte at offset {exc.start})"
        ) from None
    salt = args.salt or hashing.new_salt()
    phrases = hashing.parse_phrase_list(text)
    digests, max_words = hashing.hashed_entries(phrases, salt, check_values=args.check_values)
    sys.stdout.write(hashing.render_yaml(digests, salt, max_words))
    if not args.salt:
        print(
            f"postguard: generated a new salt {salt}; pass --salt to add phrases later",
            file=sys.stderr,
        )
    return 0
