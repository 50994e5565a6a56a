"""SECURITY.md threat 18: IT's report stays complete and harmless whatever employees typed.

Events go into a real collector database through the collector's own store, and the
report runs as IT runs it: ``postguard report`` in a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from report_support import START, acknowledge, override, write_db

from agent.events.upload_wire import HecEnvelope
from agent.report.aggregate import build_report
from agent.report.events import load_events
from agent.report.model import Report
from agent.report.render_text import render_csv, render_table

FORMATS = ("table", "csv", "json", "html")
ESCAPES = "ok \x1b]0;owned\x07 \x1b[2J\x1b[31m red \x9b6n \u202eevil\u202c \r done"


def _with(envelope: HecEnvelope, *, time: str | None = None, **payload: object) -> HecEnvelope:
    if time is not None:
        envelope.event["time"] = time
    envelope.event["payload"].update(payload)
    return envelope


def _good(user: str = "ann") -> HecEnvelope:
    return override(START, user, "confidential.codename", "my manager approved it", "1.0")


def _report(db: Path) -> Report:
    return build_report(load_events(db), None)


def _run_report(db: Path, fmt: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent", "report", "--db", str(db), "--format", fmt,
         "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(
            # The newest override: its justification is quoted in the table and HTML.
            lambda: _with(
                _good("eve"),
                time=(START + timedelta(hours=1)).isoformat(),
                justification="approved \ud800 by my manager",
            ),
            id="lone-surrogate",
        ),
        pytest.param(lambda: _with(_good("eve"), time="9999-12-31T23:59:59Z"), id="year-9999"),
        pytest.param(
            lambda: _with(_good("eve"), time="0001-01-01T00:00:00+01:00"), id="before-year-1"
        ),
    ],
)
def test_a_bad_event_is_skipped_and_every_format_still_written(tmp_path: Path, bad: object) -> None:
    assert callable(bad)
    db = write_db(tmp_path / "c.sqlite3", [_good("ann"), _good("bob"), bad()])
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        out.write_text("the previous report\n")
        done = _run_report(db, fmt, out)
        assert done.returncode == 0, done.stderr
        assert "(1 rules, 2 events)" in done.stdout
        assert out.stat().st_size > 200, fmt
    report = Report.model_validate(json.loads((tmp_path / "report.json").read_text()))
    assert report.totals.skipped == 1
    assert report.totals.overrides == 2 and report.totals.users == 2
    assert "skipped events 1" in (tmp_path / "report.table").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_version_with_unicode_digits_is_reported_not_a_crash(tmp_path: Path) -> None:
    # "²".isdigit() is true and int("²") fails: once, that stopped every format.
    odd = override(START, "ann", "confidential.codename", "other", "2026.²")
    db = write_db(tmp_path / "c.sqlite3", [odd, _good("bob"), acknowledge(START, "ann", "1.²")])
    report = _report(db)
    [rule] = report.rules
    assert sorted(v.pack_version for v in rule.versions) == ["1.0", "2026.²"]
    assert report.acknowledgement.policy_version == "1.²"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝"])
def test_no_csv_cell_starts_a_formula(tmp_path: Path, start: str) -> None:
    payload = start + "cmd|' /C calc'!A0"
    hostile = override(START, "eve", "confidential.codename", payload, "1.0")
    for finding in hostile.event["payload"]["findings"]:
        finding.update(pack_id=payload, pack_version="-1+1", category="@SUM(A1)")
    db = write_db(tmp_path / "c.sqlite3", [hostile])
    [row] = list(csv.reader(io.StringIO(render_csv(_report(db)))))[1:]
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝")), row
    assert row[1] == "'" + payload.replace("\t", "\\x09").replace("\r", "\\x0d")
    assert row[2] == "'-1+1" and row[3] == "'@SUM(A1)"
    assert row[-1] == row[1]


def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    hostile = override(START, "eve", "confidential.codename", "other\x1b[8m", "1.0")
    hostile.event["payload"]["justification"] = ESCAPES
    db = write_db(tmp_path / "c.sqlite3", [hostile, acknowledge(START, "eve", "1\x1b[1A")])
    for text in (render_table(_report(db)), render_csv(_report(db))):
        hidden = {ch for ch in text if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"}
        assert hidden == set(), sorted(hidden)
    table = render_table(_report(db))
    assert "\\x1b]0;owned\\x07" in table and "\\u202eevil" in table and "\\x9b6n" in table
    assert "other\\x1b[8m" in table and "version 1\\x1b[1A" in table


def test_events_in_range_are_kept_and_a_day_of_clock_drift_allowed(tmp_path: Path) -> None:
    now = START + timedelta(days=3)
    soon = (now + timedelta(hours=20)).isoformat()
    later = (now + timedelta(days=2)).isoformat()
    db = write_db(
        tmp_path / "c.sqlite3",
        [_good("ann"), _with(_good("bob"), time=soon), _with(_good("cat"), time=later)],
    )
    events = load_events(db, None, now)
    assert [o.user for o in events.overrides] == ["ann", "bob"]
    assert events.skipped == 1
    assert events.last == datetime.fromisoformat(soon).astimezone(UTC)
