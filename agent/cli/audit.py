"""``postguard audit show|verify``: see exactly what is recorded and sent; check the chain."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.events.audit import AuditLog, VerifyReport
    from agent.events.records import AuditRecord


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="show or verify the local audit log")
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION")
    sub.required = True
    show = sub.add_parser(
        "show",
        help="print every recorded event, exactly as it is stored and uploaded",
    )
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.set_defaults(func=run_show)
    verify = sub.add_parser(
        "verify",
        help="check the keyed hash chain and the high-water mark; "
        "exit 1 if a record was edited, removed or re-chained",
    )
    verify.set_defaults(func=run_verify)


def _open() -> AuditLog:
    from agent.config import load_settings
    from agent.events.audit import AUDIT_DB, AuditLog
    from agent.security.secrets import SecretStore

    settings = load_settings().settings
    path = settings.data_dir / AUDIT_DB
    if not path.exists():
        raise UserError(f"no audit log at {path} yet (nothing has been recorded)")
    # The agent's own store: the chain secret is where the agent keeps it.
    return AuditLog(path, secrets=SecretStore(settings.config_dir))


def run_show(args: argparse.Namespace) -> int:
    log = _open()
    try:
        for record in log:
            if args.json:
                print(record.model_dump_json())
            else:
                print(_line(record))
    finally:
        log.close()
    return 0


def _line(record: AuditRecord) -> str:
    sent = "uploaded" if record.uploaded_at else "pending upload"
    payload = json.dumps(record.payload, ensure_ascii=False, sort_keys=True)
    return (
        f"#{record.seq} {record.time.isoformat()} {record.kind.value} "
        f"user={record.user} device={record.device_id} ({sent})\n    {payload}"
    )


def run_verify(args: argparse.Namespace) -> int:
    # What the log warns about when it opens (records removed, a rebuilt mark) is exactly
    # what the report below names, one line each.
    logging.getLogger("postguard.audit").setLevel(logging.ERROR)
    log = _open()
    try:
        report = log.verify()
    finally:
        log.close()
    for problem in report.problems:
        print(f"record {problem.seq}: {problem.kind}: {problem.detail}", file=sys.stderr)
    if not report.ok:
        print(f"audit log TAMPERED: {len(report.problems)} problem(s) in {report.records} records")
        return 1
    print(f"audit log OK: {report.records} records, chain intact{_scheme(report)}")
    return 0


def _scheme(report: VerifyReport) -> str:
    keyed_from = report.keyed_from
    if keyed_from is None or keyed_from <= 1:
        return ", keyed with this device's chain secret"
    if keyed_from > report.high_water:
        return (
            f"; records 1..{keyed_from - 1} predate the keyed chain (plain SHA-256, "
            "anchored by the high-water mark since then)"
        )
    return (
        f"; records 1..{keyed_from - 1} predate the keyed chain (plain SHA-256, "
        f"anchored by record {keyed_from}), keyed from record {keyed_from} on"
    )
