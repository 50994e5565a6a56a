"""``postguard pack keygen`` and ``postguard pack build``: sign and publish packs.

Registered under ``postguard pack`` by :mod:`agent.cli.pack`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_EXPIRY = "30d"


def register(pack_subparsers: Any) -> None:
    keygen = pack_subparsers.add_parser(
        "keygen",
        help="create an Ed25519 signing key for pack publication",
        description="Write a new Ed25519 private key (PEM, readable by you only) and print "
        "its public key, which agents pin in the managed setting sync.trusted_keys.",
    )
    keygen.add_argument("--out", type=Path, required=True, metavar="KEYFILE")
    keygen.set_defaults(func=run_keygen)

    build = pack_subparsers.add_parser(
        "build",
        help="test, sign and write packs as a static site",
        description="Run every rule's examples (a failure blocks the build), then write "
        "SITE/index.json, its detached signature index.json.sig, and one archive per pack. "
        "Host SITE/ unchanged on any static web server or CDN.",
    )
    build.add_argument("dirs", nargs="+", type=Path, metavar="DIR", help="packs, in layer order")
    build.add_argument(
        "--key",
        type=Path,
        action="append",
        required=True,
        metavar="KEYFILE",
        help="signing key; repeat to sign with an old and a new key while rotating",
    )
    build.add_argument("--out", type=Path, required=True, metavar="SITE")
    build.add_argument(
        "--expires-in",
        default=DEFAULT_EXPIRY,
        metavar="DURATION",
        help=f"how long agents treat this publication as current (default {DEFAULT_EXPIRY})",
    )
    build.add_argument(
        "--serial",
        type=int,
        help="index serial, 1 to 2^53-1 (default: previous + 1, at least Unix time)",
    )
    build.set_defaults(func=run_build)


def run_keygen(args: argparse.Namespace) -> int:
    from agent.publish.keys import generate_key, public_key_b64

    key = generate_key(args.out)
    print(f"Signing key written to {args.out} (keep it secret: it can publish packs).")
    print("Public key for the managed settings (sync.trusted_keys):")
    print(public_key_b64(key))
    return 0


def run_build(args: argparse.Namespace) -> int:
    from agent.publish.keys import load_private_key
    from agent.publish.site import build_site, parse_duration
    from agent.runtime import load_engine

    expires_in = parse_duration(args.expires_in)
    keys = [load_private_key(path) for path in args.key]
    if not _examples_pass(args.dirs):
        return 1
    load_engine(args.dirs)  # the exact compile agents will run, as a last gate
    index = build_site(args.dirs, keys, args.out, expires_in=expires_in, serial=args.serial)
    expires = f"{index.expires_at:%Y-%m-%d %H:%M} UTC"
    print(f"Published serial {index.serial} to {args.out}/ (expires {expires})")
    for entry in index.packs:
        print(f"  {entry.id} {entry.version}  {entry.size} bytes  sha256 {entry.sha256[:16]}…")
    print(f"Serve {args.out}/ as-is; point agents' sync.index_url at <your URL>/index.json")
    return 0


def _examples_pass(dirs: list[Path]) -> bool:
    from agent.cli.pack import print_example_report
    from agent.packs.testing import run_pack_examples

    report = run_pack_examples(dirs)
    print_example_report(report)
    if report.failures:
        print(
            f"postguard: build refused: {len(report.failures)} example(s) failed; nothing written",
            file=sys.stderr,
        )
        return False
    for rule in report.withheld:
        print(
            f"postguard: {rule.location}: {rule.pack.id}/{rule.rule_id}: its examples were"
            " withheld when the pack was published, so they cannot be run; build from the"
            " pack's source",
            file=sys.stderr,
        )
    if report.withheld:
        print("postguard: build refused: untested hashed rules; nothing written", file=sys.stderr)
        return False
    return True
