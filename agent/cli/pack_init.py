"""``postguard pack init``: start a company pack from a template, then customise it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

# The values of agent.templates.skeleton.Industry, spelled out so that building the command
# line does not import the pack tooling (a test keeps the two equal).
INDUSTRIES: Final = ("general", "finance", "healthcare")


def register(pack_subparsers: Any) -> None:
    parser: argparse.ArgumentParser = pack_subparsers.add_parser(
        "init",
        help="write a company pack skeleton that passes `pack test` as generated",
    )
    parser.add_argument("--company", required=True, help='the company name, e.g. "Acme Corp"')
    parser.add_argument("--industry", choices=INDUSTRIES, default=INDUSTRIES[0])
    parser.add_argument("--domain", help="the company's DNS domain (default: from the name)")
    parser.add_argument("--out", type=Path, help="directory to create (default: ./<company-id>)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agent.templates.skeleton import Industry, init_pack, slug

    out = args.out or Path(slug(args.company))
    skeleton = init_pack(args.company, Industry(args.industry), out, domain=args.domain)
    print(f"wrote pack {skeleton.pack_id!r} to {skeleton.directory}:")
    for path in skeleton.files:
        print(f"  {path}")
    print(f"next: edit it, then `postguard pack test {skeleton.directory}`")
    return 0
