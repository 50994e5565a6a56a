"""``postguard sync login URL --token T`` and ``postguard sync logout``: the pack server token.

The token goes to the OS keyring (or the 0600 secrets file), bound to the URL's origin; it
is never written to a settings file.  Compare ``postguard enroll`` for the collector.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent.errors import UserError


def register(sync_subparsers: Any) -> None:
    login: argparse.ArgumentParser = sync_subparsers.add_parser(
        "login",
        help="store a bearer token for a pack server that requires one",
        description="Store the token in the OS keyring (or a 0600 file where there is none), "
        "for the URL's origin only: it is sent as `Authorization: Bearer` to that scheme, host "
        "and port and nowhere else. HTTPS only, except for a server on this machine.",
    )
    login.add_argument(
        "url", help="the pack server or its index URL, e.g. https://packs.example.com"
    )
    login.add_argument(
        "--token",
        required=True,
        help="the token; `-` reads it from standard input (keeps it out of shell history)",
    )
    login.set_defaults(func=run_login)

    logout = sync_subparsers.add_parser(
        "logout",
        help="remove a stored pack server token",
        description="Remove the token stored for URL's origin (default: sync.index_url's).",
    )
    logout.add_argument("url", nargs="?", help="the pack server (default: sync.index_url)")
    logout.set_defaults(func=run_logout)


def run_login(args: argparse.Namespace) -> int:
    from agent.config import load_settings
    from agent.security.secrets import SecretStore
    from agent.sync.credentials import PackServerCredentials, origin_of

    from_stdin = args.token == "-"  # noqa: S105 - the option's marker for standard input
    token = sys.stdin.readline().strip() if from_stdin else args.token
    settings = load_settings().settings
    credentials = PackServerCredentials(SecretStore(settings.config_dir))
    origin, where = credentials.save(args.url, token)
    print(f"pack server token for {origin} saved in {where}")
    index_url = settings.sync.index_url
    if index_url is None:
        print(f"sync.index_url is not set: the token is used once it points at {origin}")
    elif origin_of(index_url) != origin:
        print(
            f"note: sync.index_url is on {origin_of(index_url)}; this token only goes to {origin}"
        )
    else:
        print("the agent uses it from its next sync; `postguard sync` syncs now")
    return 0


def run_logout(args: argparse.Namespace) -> int:
    from agent.config import load_settings
    from agent.security.secrets import SecretStore
    from agent.sync.credentials import PackServerCredentials

    settings = load_settings().settings
    url = args.url or settings.sync.index_url
    if url is None:
        raise UserError("name the pack server: postguard sync logout URL")
    origin, removed = PackServerCredentials(SecretStore(settings.config_dir)).forget(url)
    if removed:
        print(f"pack server token for {origin} removed")
    else:
        print(f"no pack server token was stored for {origin}")
    return 0
