"""``postguard collector serve|add-token``: the reference HEC-compatible event collector."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from agent.errors import UserError

DEFAULT_PORT = 8088  # Splunk HEC's default port, so agent settings carry over unchanged


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "collector",
        help="run the reference event collector (Splunk HEC compatible)",
        description="Receive override, feedback and acknowledgement events from enrolled agents "
        "and store each once in SQLite.",
    )
    sub = parser.add_subparsers(dest="collector_command", metavar="ACTION")
    sub.required = True

    serve = sub.add_parser("serve", help="accept events on the HEC event endpoint")
    serve.add_argument("--db", required=True, type=Path, help="SQLite file (created if missing)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument(
        "--token", action="append", default=[], help="accept this token (repeatable)"
    )
    serve.add_argument("--tokens-file", type=Path, help="accept the tokens in FILE, one a line")
    serve.set_defaults(func=serve_command)

    add = sub.add_parser("add-token", help="create a token for agents to enrol with")
    add.add_argument("--db", required=True, type=Path)
    add.add_argument("--name", default="default", help="a label stored with each event it sends")
    add.set_defaults(func=add_token_command)


def serve_command(args: argparse.Namespace) -> int:
    from aiohttp import web

    from agent.collector.app import create_collector_app
    from agent.collector.store import CollectorStore
    from agent.collector.tokens import read_tokens_file
    from agent.events.upload_wire import HEC_PATH

    tokens: list[str] = list(args.token)
    if args.tokens_file is not None:
        tokens.extend(read_tokens_file(args.tokens_file))
    if any(not t.strip() for t in tokens):
        raise UserError("--token must not be empty")
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port} is not a TCP port")
    store = CollectorStore(args.db)  # fail early, with a one-line error, on a bad path
    stored = store.token_count()
    store.close()
    if not tokens and not stored:
        raise UserError(
            "no token: pass --token, --tokens-file, or create one with "
            f"`postguard collector add-token --db {args.db}`"
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    print(
        f"collector: http://{args.host}:{args.port}{HEC_PATH} → {args.db} "
        f"({len(tokens)} start-up tokens, {stored} stored)",
        flush=True,
    )
    app = create_collector_app(args.db, tokens)
    try:
        web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    return 0


def add_token_command(args: argparse.Namespace) -> int:
    from agent.collector.store import CollectorStore

    store = CollectorStore(args.db)
    try:
        token = store.add_token(args.name)
    finally:
        store.close()
    print(token)
    print(
        f"Enrol agents with: postguard enroll http://COLLECTOR:{DEFAULT_PORT} --token {token}",
        file=sys.stderr,
    )
    return 0
