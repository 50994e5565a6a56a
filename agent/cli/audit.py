"""``postguard audit show|verify``: see exactly what is recorded and sent; check the chain."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from agent.errors import UserError

if TYPE_CHECKING:
    from agent.events.audit import AuditLog
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
        "verify", help="check the hash chain; exit 1 if a record was edited or removed"
    )
    verify.set_defaults(func=run_verify)


def _open() -> AuditLog:
    from agent.config import load_settings
    from agent.events.audit import AUDIT_DB, AuditLog

    path = load_settings().settings.data_dir / AUDIT_DB
    if not path.exists():
        raise UserError(f"no audit log at {path} yet (nothing has been recorded)")
    return AuditLog(path)


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
    print(f"audit log OK: {report.records} records, chain intact")
    return 0
