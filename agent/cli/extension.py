"""``postguard extension pack``: build the force-installable extension (see extension_pack)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extension", help="build the browser extension for self-hosted force-install"
    )
    sub = parser.add_subparsers(dest="extension_command", metavar="SUBCOMMAND")
    sub.required = True
    pack = sub.add_parser(
        "pack",
        help="sign the extension into a .crx with an updates.xml",
        description="Sign the extension folder with your RSA key into postguard-VERSION.crx "
        "and write the updates.xml that Chrome polls, both for the folder served at "
        "--base-url. The extension id follows from the key: add it to the agent's "
        "allowed_origins. See docs/deploy.md for the browser policies.",
    )
    pack.add_argument("source", type=Path, help="the extension folder (extension/)")
    pack.add_argument("--key", type=Path, required=True, help="PEM RSA private key (2048+ bits)")
    pack.add_argument(
        "--base-url", required=True, help="the URL of the folder that will serve both files"
    )
    pack.add_argument("--out", type=Path, default=Path("dist"), help="output folder (dist/)")
    pack.set_defaults(func=run_pack)


def run_pack(args: argparse.Namespace) -> int:
    from agent.cli.extension_pack import pack_extension

    packed = pack_extension(args.source, args.key, args.base_url, args.out)
    print(f"extension id: {packed.extension_id} (version {packed.version})")
    print(f"wrote {packed.crx}")
    print(f"wrote {packed.updates}")
    print(f"ExtensionInstallForcelist entry: {packed.extension_id};{packed.update_url}")
    print(f'agent setting: allowed_origins = ["chrome-extension://{packed.extension_id}"]')
    return 0
