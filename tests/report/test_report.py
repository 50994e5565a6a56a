"""The report over a collector database: numbers, formats, and the revision ranking."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from report_support import START, acknowledge, false_positive, override, write_db

from agent.report.aggregate import build_report
from agent.report.events import load_events
from agent.report.model import Report
from agent.report.render_html import render_html
from agent.report.render_text import render_csv, render_table


def report_of(db: Path, since: datetime | None = None) -> Report:
    return build_report(load_events(db, since), since)


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    later = START + timedelta(days=8)
    return write_db(
        tmp_path / "small.sqlite3",
        [
            override(START, "ann", "confidential.codename", "my manager approved it", "1.0"),
            override(START, "bob", "confidential.codename", "my manager approved it", "1.0"),
            override(later, "cat", "confidential.codename", "part of an approved campaign", "1.1"),
            override(later, "ann", "company_voice.official-statement", "other", "1.1"),
            false_positive(later, "dan", "confidential.codename", "1.1"),
            false_positive(later, "dan", "personal_data.email-address", "1.1"),
            acknowledge(START, "ann", "1.0"),
            acknowledge(later, "ann", "1.1"),
            acknowledge(later, "bob", "1.1"),
        ],
    )


def test_counts_per_rule_category_version_and_week(small_db: Path) -> None:
    report = report_of(small_db)
    rules = {r.rule_id: r for r in report.rules}
    codename = rules["confidential.codename"]
    assert (codename.overrides, codename.false_positives, codename.warned) == (3, 1, None)
    assert codename.false_positive_rate == 0.25  # 1 ÷ (3 overrides + 1 report)
    assert codename.top_reasons[0].label == "my manager approved it"
    assert codename.top_reasons[0].count == 2
    assert codename.weekly_overrides == {"2026-W37": 2, "2026-W38": 1}
    assert [(v.pack_version, v.overrides, v.false_positives) for v in codename.versions] == [
        ("1.0", 2, 0),
        ("1.1", 1, 1),
    ]
    email = rules["personal_data.email-address"]
    assert (email.overrides, email.false_positives, email.false_positive_rate) == (0, 1, 1.0)
    assert report.weeks == ["2026-W37", "2026-W38"]
    categories = {c.category: (c.rules, c.overrides) for c in report.categories}
    assert categories["confidential"] == (1, 3)
    assert report.worth_revising[0] == "confidential.codename"
    assert report.totals.users == 4


def test_acknowledgement_coverage_counts_the_newest_policy_version(small_db: Path) -> None:
    ack = report_of(small_db).acknowledgement
    assert (ack.policy_version, ack.acknowledged, ack.users_seen) == ("1.1", 2, 4)
    assert ack.ratio == 0.5


def test_since_leaves_earlier_events_out(small_db: Path) -> None:
    report = report_of(small_db, START + timedelta(days=7))
    rules = {r.rule_id: r for r in report.rules}
    assert rules["confidential.codename"].overrides == 1


def test_the_table_ends_with_the_rules_most_worth_revising(sample_db: Path) -> None:
    text = render_table(report_of(sample_db))
    tail = text[text.index("Rules most worth revising") :]
    assert "1. confidential.codename" in tail
    assert "reasons:" in tail
    assert "Per category" in text and "Per pack version" in text
    assert "Acknowledgement coverage: 18 of 24 users acknowledged policy version 2026.10.1" in text


def test_csv_has_one_row_per_rule_and_pack_version(small_db: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report_of(small_db)))))
    codename = [r for r in rows if r["rule_id"] == "confidential.codename"]
    assert [(r["pack_version"], r["overrides"]) for r in codename] == [("1.0", "2"), ("1.1", "1")]
    assert codename[0]["false_positive_rate"] == "0.2500"


def test_html_is_self_contained_and_escapes_what_employees_typed(tmp_path: Path) -> None:
    hostile = override(START, "eve", "confidential.codename", "<script>alert(1)</script>", "1")
    db = write_db(tmp_path / "c.sqlite3", [hostile])
    page = render_html(report_of(db))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<svg") == 2
    # Nothing is fetched: the only URL is the SVG namespace.
    assert set(re.findall(r"https?://[^\s\"')]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "Rules most worth revising" in page[page.rindex("<h2>") :]


def test_an_unreadable_event_is_counted_not_hidden(tmp_path: Path) -> None:
    broken = override(START, "ann", "confidential.codename", "other", "1")
    broken.event["payload"] = {"reason": "missing findings"}
    db = write_db(tmp_path / "c.sqlite3", [broken, acknowledge(START, "bob", "1")])
    report = report_of(db)
    assert report.totals.skipped == 1
    assert "skipped events 1" in render_table(report)


@pytest.mark.slow
def test_cli_writes_each_format_and_refuses_a_missing_database(
    sample_db: Path, tmp_path: Path
) -> None:
    for fmt in ("table", "csv", "json", "html"):
        out = tmp_path / f"report.{fmt}"
        done = subprocess.run(
            [sys.executable, "-m", "agent", "report", "--db", str(sample_db), "--format", fmt,
             "--out", str(out), "--since", "2026-09-01"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 500
    parsed = Report.model_validate(json.loads((tmp_path / "report.json").read_text()))
    assert parsed.worth_revising[0] == "confidential.codename"
    missing = subprocess.run(
        [sys.executable, "-m", "agent", "report", "--db", str(tmp_path / "nope.sqlite3")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert missing.returncode == 2
    assert (
        missing.stderr.strip() == f"postguard: no collector database at {tmp_path / 'nope.sqlite3'}"
    )


def test_an_empty_database_gives_an_empty_report(tmp_path: Path) -> None:
    db = write_db(tmp_path / "empty.sqlite3", [])
    report = report_of(db)
    assert report.rules == [] and report.weeks == []
    assert "none: no overrides" in render_table(report)
    assert "No overrides in this period" in render_html(report)
    assert report.generated_at.tzinfo == UTC
