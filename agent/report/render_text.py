"""The report as a terminal table, CSV and JSON.

Employees type some of what these show (justifications, comments) and a forged event can
put anything in the rest, so every string is shown harmless: in the table, control and
format characters become visible escapes before they reach IT's terminal; in CSV, a cell
never starts a formula.  JSON escapes control characters itself and stays as recorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from agent.report import fleet_view
from agent.report.cells import count, day, percent, spreadsheet_text, visible
from agent.report.model import Report, VersionStats


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    rows = [[visible(cell) for cell in row] for row in rows]  # escaped before measured
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_table(report: Report) -> str:
    t = report.totals
    out = [
        "PostGuard override report",
        f"events {t.events} · overrides {t.overrides} · false-positive reports "
        f"{t.false_positives} · users {t.users}"
        + (
            f" · skipped events {t.skipped} (unreadable or dated out of range)" if t.skipped else ""
        ),
        f"period {day(report.first_event)} – {day(report.last_event)}"
        + (f" (since {day(report.since)})" if report.since else ""),
        "",
        "Per rule",
    ]
    out += _table(
        ["rule", "category", "warned", "overrides", "FP reports", "FP rate", "top reason"],
        [
            [
                r.rule_id,
                r.category,
                count(r.warned),
                str(r.overrides),
                str(r.false_positives),
                percent(r.false_positive_rate),
                f"{r.top_reasons[0].label} ({r.top_reasons[0].count})" if r.top_reasons else "",
            ]
            for r in report.rules
        ],
    )
    out += ["", "Per category"]
    out += _table(
        ["category", "rules", "warned", "overrides", "FP reports"],
        [
            [c.category, str(c.rules), count(c.warned), str(c.overrides), str(c.false_positives)]
            for c in report.categories
        ],
    )
    out += ["", "Per pack version"]
    out += _table(
        ["rule", "pack", "version", "first seen", "last seen", "overrides", "FP reports"],
        [
            [
                r.rule_id,
                v.pack_id,
                v.pack_version,
                day(v.first_seen),
                day(v.last_seen),
                str(v.overrides),
                str(v.false_positives),
            ]
            for r in report.rules
            for v in r.versions
        ],
    )
    ack = report.acknowledgement
    out += [
        "",
        "Acknowledgement coverage: "
        + (
            f"{ack.acknowledged} of {ack.users_seen} users acknowledged policy version "
            f"{ack.policy_version} ({percent(ack.ratio)})"
            if ack.policy_version
            else f"no acknowledgements recorded ({ack.users_seen} users seen)"
        ),
        "",
        "Fleet: " + fleet_view.summary(report.fleet),
    ]
    if report.fleet.devices:
        out += _table(fleet_view.HEADERS, [fleet_view.cells(d) for d in report.fleet.devices])
    out += ["", "Rules most worth revising"]
    by_id = {r.rule_id: r for r in report.rules}
    if not report.worth_revising:
        out.append("  none: no overrides or false-positive reports in this period")
    for rank, rule_id in enumerate(report.worth_revising, start=1):
        rule = by_id[rule_id]
        reasons = "; ".join(f"{c.label} ({c.count})" for c in rule.top_reasons) or "–"
        out.append(
            f"  {rank}. {rule_id}: {rule.overrides} overrides, "
            f"{rule.false_positives} false-positive reports — reasons: {reasons}"
        )
        for text in rule.justifications[:2]:
            out.append(f"       “{_one_line(text)}”")
    out += ["", f"False-positive rate = {report.false_positive_basis}."]
    # Each entry is one line: escaping them all covers what went in outside a table
    # (versions, reasons, justifications), a newline included.
    return "\n".join(visible(line) for line in out) + "\n"


CSV_COLUMNS = (
    "rule_id",
    "pack_id",
    "pack_version",
    "category",
    "severity",
    "first_seen",
    "last_seen",
    "warned",
    "overrides",
    "false_positives",
    "false_positive_rate",
    "top_reason",
)


def render_csv(report: Report) -> str:
    """One row per rule and pack version, for spreadsheets; rule-wide rate and reason repeated.

    When the collector knows of devices, the fleet follows after a blank line: a header row
    of its own (starting ``device``), then one row per device.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    cell = spreadsheet_text
    for r in report.rules:
        reason = r.top_reasons[0].label if r.top_reasons else ""
        rate = "" if r.false_positive_rate is None else f"{r.false_positive_rate:.4f}"
        versions: list[VersionStats | None] = [*r.versions] or [None]
        for v in versions:
            writer.writerow(
                [
                    cell(r.rule_id),
                    cell(v.pack_id if v else r.pack_id),
                    cell(v.pack_version if v else ""),
                    cell(r.category),
                    cell(r.severity),
                    v.first_seen.isoformat() if v else "",
                    v.last_seen.isoformat() if v else "",
                    "" if v is None or r.warned is None else v.warned,
                    v.overrides if v else r.overrides,
                    v.false_positives if v else r.false_positives,
                    rate,
                    cell(reason),
                ]
            )
    if report.fleet.devices:
        writer.writerow([])
        writer.writerow(fleet_view.HEADERS)
        for device in report.fleet.devices:
            writer.writerow([cell(text) for text in fleet_view.cells(device)])
    return buffer.getvalue()


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def _one_line(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
