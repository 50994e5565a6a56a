"""``postguard collector …``: the reference HEC-compatible event collector and its devices."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.collector.store import CollectorStore

DEFAULT_PORT = 8088  # Splunk HEC's default port, so agent settings carry over unchanged
DEFAULT_DEVICE_QUOTA = 5000  # agent.collector.app.DEFAULT_DEVICE_QUOTA, without importing it


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
        "--token", action="append", default=[], help="accept this enrolment token (repeatable)"
    )
    serve.add_argument(
        "--tokens-file", type=Path, help="accept the enrolment tokens in FILE, one a line"
    )
    serve.add_argument(
        "--device-quota",
        type=int,
        default=DEFAULT_DEVICE_QUOTA,
        help=f"events one device may store per rolling day (default {DEFAULT_DEVICE_QUOTA})",
    )
    serve.set_defaults(func=serve_command)

    add = sub.add_parser("add-token", help="create an enrolment token for a group of machines")
    add.add_argument("--db", required=True, type=Path)
    add.add_argument("--name", default="default", help="a label stored with each device it enrols")
    add.set_defaults(func=add_token_command)

    revoke = sub.add_parser(
        "revoke-token", help="stop accepting the enrolment tokens created with a --name"
    )
    revoke.add_argument("--db", required=True, type=Path)
    revoke.add_argument("--name", required=True, help="the name given to add-token")
    revoke.set_defaults(func=revoke_token_command)

    devices = sub.add_parser("devices", help="list enrolled devices")
    devices.add_argument("--db", required=True, type=Path)
    devices.set_defaults(func=devices_command)

    check = sub.add_parser(
        "integrity",
        help="list gaps, forks and broken links in devices' event chains (exit 1 if any is open)",
    )
    check.add_argument("--db", required=True, type=Path)
    check.add_argument("--device", help="only this device id")
    check.set_defaults(func=integrity_command)

    release = sub.add_parser(
        "release-device", help="forget a device's token so that it can enrol again"
    )
    release.add_argument("--db", required=True, type=Path)
    release.add_argument("--device", required=True, help="the device id")
    release.set_defaults(func=release_command)


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
    if args.device_quota < 1:
        raise UserError("--device-quota must be at least 1")
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
        f"({len(tokens)} start-up enrolment tokens, {stored} stored)",
        flush=True,
    )
    app = create_collector_app(args.db, tokens, device_quota=args.device_quota)
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


def revoke_token_command(args: argparse.Namespace) -> int:
    store = _existing(args.db)
    try:
        revoked = store.revoke_tokens(args.name)
    finally:
        store.close()
    if not revoked:
        raise UserError(f"no stored enrolment token named {args.name!r} in {args.db}")
    print(f"revoked {revoked} enrolment token(s) named {args.name!r}; enrolled devices keep theirs")
    return 0


def devices_command(args: argparse.Namespace) -> int:
    store = _existing(args.db)
    try:
        summaries = store.device_summaries()
    finally:
        store.close()
    if not summaries:
        print("no device has enrolled")
        return 0
    for s in summaries:
        highest = "-" if s.highest_seq is None else str(s.highest_seq)
        print(
            f"{s.device.device_id}  user={s.device.user}  via={s.device.enrolled_by}  "
            f"enrolled={_when(s.enrolled_at)}  events={s.events}  highest seq={highest}  "
            f"open flags={s.open_flags}"
        )
    return 0


def integrity_command(args: argparse.Namespace) -> int:
    store = _existing(args.db)
    try:
        flags = store.flags(args.device)
    finally:
        store.close()
    if not flags:
        print("no gaps, forks or broken links")
        return 0
    open_count = 0
    for flag in flags:
        state = "open" if flag.resolved_at is None else f"resolved {_when(flag.resolved_at)}"
        open_count += flag.resolved_at is None
        print(
            f"{_when(flag.detected_at)}  {flag.device_id}  {flag.kind.value:<12}  "
            f"{flag.detail}  ({state})"
        )
    print(f"{len(flags)} flags, {open_count} open")
    return 1 if open_count else 0


def release_command(args: argparse.Namespace) -> int:
    store = _existing(args.db)
    try:
        released = store.release_device(args.device)
    finally:
        store.close()
    if not released:
        raise UserError(f"no enrolled device {args.device!r} in {args.db}")
    print(f"released {args.device}: its token no longer works; it may enrol again")
    return 0


def _existing(path: Path) -> CollectorStore:
    from agent.collector.store import CollectorStore

    if not path.is_file():
        raise UserError(f"no collector database at {path}")
    return CollectorStore(path)


def _when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
