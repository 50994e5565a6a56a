"""The report's fleet section, and heartbeats kept out of every per-user count and rate."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from report_support import START, acknowledge, event, false_positive, override, write_db

from agent.report.aggregate import build_report
from agent.report.events import load_events
from agent.report.fleet import load_fleet
from agent.report.model import Report

NOW = START + timedelta(days=20)


def heartbeat(when: datetime, device: str, user: str = "ann", **changes: Any) -> Any:
    payload: dict[str, Any] = {
        "reason": "daily",
        "agent_version": "0.1.0",
        "extension_version": None,
        "paired": True,
        "packs_source": "sync",
        "packs": [{"id": "baseline", "version": "2026.12.1"}],
        "serial": 12,
        "sync_state": "ok",
        "pending": 0,
        "last_upload": when.isoformat(),
    }
    payload.update(changes)
    return event("heartbeat", when, user, payload, device=device)


def activity() -> list[Any]:
    later = START + timedelta(days=8)
    return [
        override(START, "ann", "confidential.codename", "my manager approved it", "1.0"),
        override(later, "bob", "confidential.codename", "part of an approved campaign", "1.1"),
        false_positive(later, "dan", "confidential.codename", "1.1"),
        acknowledge(later, "ann", "1.1"),
    ]


def fleet_events() -> list[Any]:
    recent = NOW - timedelta(days=1)
    return [
        heartbeat(START, "dev-ok", serial=11),  # an older heartbeat of the same device
        heartbeat(recent, "dev-ok"),
        heartbeat(recent, "dev-old", serial=9),
        heartbeat(recent, "dev-unpaired", user="eve", paired=False),  # a user seen nowhere else
        heartbeat(
            recent, "dev-stuck", pending=40, last_upload=(NOW - timedelta(days=10)).isoformat()
        ),
        heartbeat(NOW - timedelta(days=9), "dev-gone"),
    ]


def report_of(db: Path, stale_days: int = 7) -> Report:
    return build_report(load_events(db, None, NOW), None, NOW, load_fleet(db, NOW, stale_days))


def test_heartbeats_change_no_rate_count_or_user(tmp_path: Path) -> None:
    without = report_of(write_db(tmp_path / "a.sqlite3", activity()))
    with_beats = report_of(write_db(tmp_path / "b.sqlite3", activity() + fleet_events()))
    assert with_beats.totals == without.totals
    assert with_beats.totals.skipped == 0  # heartbeats are known, not bad events
    assert with_beats.rules == without.rules
    assert with_beats.categories == without.categories
    assert with_beats.acknowledgement == without.acknowledgement
    assert (with_beats.first_event, with_beats.last_event) == (START, START + timedelta(days=8))
    assert with_beats.weeks == without.weeks


def test_the_fleet_flags_each_device_from_its_latest_heartbeat(tmp_path: Path) -> None:
    db = write_db(tmp_path / "c.sqlite3", activity() + fleet_events())
    fleet = report_of(db).fleet
    flags = {d.device_id: d.flags for d in fleet.devices}
    assert fleet.newest_serial == 12
    assert flags == {
        "dev-ok": [],
        "dev-old": ["old_packs"],
        "dev-unpaired": ["unpaired"],
        "dev-stuck": ["not_uploading"],
        "dev-gone": ["not_seen"],
        # dev-1 is the device of the activity events: it sent no heartbeat and did not enrol
    }
    ok = next(d for d in fleet.devices if d.device_id == "dev-ok")
    assert ok.serial == 12 and ok.packs == ["baseline 2026.12.1"] and ok.paired is True
    assert ok.last_heartbeat == NOW - timedelta(days=1)
    assert report_of(db, stale_days=10).fleet.devices[0].flags != ["not_seen"]


def test_every_format_shows_the_fleet(tmp_path: Path) -> None:
    db = write_db(tmp_path / "c.sqlite3", activity() + fleet_events())
    outputs = {}
    for fmt in ("table", "csv", "json", "html"):
        out = tmp_path / f"report.{fmt}"
        done = subprocess.run(
            [sys.executable, "-m", "agent", "report", "--db", str(db), "--format", fmt,
             "--out", str(out), "--stale-days", "30"],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs[fmt] = out.read_text(encoding="utf-8")
    assert "Fleet: 5 devices" in outputs["table"]
    assert "dev-unpaired" in outputs["table"] and "older pack set" in outputs["table"]
    rules_part, fleet_part = outputs["csv"].split("\n\n")
    first_rule = next(iter(csv.DictReader(io.StringIO(rules_part))))
    assert first_rule["rule_id"] == "confidential.codename"
    rows = list(csv.DictReader(io.StringIO(fleet_part)))
    assert {r["device"]: r["flags"] for r in rows}["dev-old"].startswith("older pack set")
    parsed = Report.model_validate(json.loads(outputs["json"]))
    assert parsed.fleet.stale_days == 30
    assert {d.device_id for d in parsed.fleet.devices} == {
        "dev-ok", "dev-old", "dev-unpaired", "dev-stuck", "dev-gone"
    }  # fmt: skip
    assert "<h2>Fleet</h2>" in outputs["html"] and "dev-stuck" in outputs["html"]


def test_a_bad_stale_days_is_one_line(tmp_path: Path) -> None:
    db = write_db(tmp_path / "c.sqlite3", activity())
    for bad in ("0", "-3", "seven", "9" * 5000):
        done = subprocess.run(
            [sys.executable, "-m", "agent", "report", "--db", str(db), "--stale-days", bad],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2
        assert "--stale-days" in done.stderr and "Traceback" not in done.stderr


def test_a_heartbeat_dated_ahead_or_unreadable_does_not_hide_the_real_one(tmp_path: Path) -> None:
    real = heartbeat(NOW - timedelta(days=1), "dev-x", paired=False)
    forged = heartbeat(datetime(2099, 1, 1, tzinfo=UTC), "dev-x", paired=True)
    broken = heartbeat(NOW - timedelta(hours=1), "dev-y", serial="many")
    fleet = report_of(write_db(tmp_path / "c.sqlite3", [real, forged, broken])).fleet
    assert [(d.device_id, d.flags) for d in fleet.devices] == [("dev-x", ["unpaired"])]
    assert fleet.skipped == 1


def test_the_command_line_spells_the_fleet_bounds_as_the_report_does() -> None:
    from agent.cli import report as cli
    from agent.report import fleet, model

    assert cli.STALE_DAYS_DEFAULT == model.DEFAULT_STALE_DAYS
    assert cli.STALE_DAYS_MAX == fleet.MAX_STALE_DAYS
