"""``postguard bench --quick`` as a user runs it: real agent and echo processes, a real client."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.bench import BenchReport
from agent.bench.extension_latency import read_extension_section


@pytest.mark.slow
def test_quick_http_and_start_run_writes_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    recording = tmp_path / "extension-latency.json"
    recording.write_text(json.dumps({"debounce_ms": 300, "samples_ms": [340.0, 352.5, 371.0]}))
    done = subprocess.run(
        [sys.executable, "-m", "agent", "bench", "--quick", "--only", "http", "--only", "start",
         "--json", str(out), "--extension-latency", str(recording)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "## POST /v1/check over loopback HTTP" in done.stdout
    report = BenchReport.model_validate_json(out.read_text())

    assert report.http is not None and report.http.error is None, report.http
    rows = {(r.target, r.concurrency): r for r in report.http.rows}
    assert set(rows) == {(t, c) for t in ("agent", "echo") for c in (1, 4)}
    for row in rows.values():
        assert row.errors == {}
        assert row.requests > 0 and row.checks_per_s > 0
        assert row.latency is not None and 0 < row.latency.p50_us <= row.latency.p99_us
    assert report.http.idle is not None and report.http.idle.cpu_seconds >= 0
    assert report.http.agent_rss_mb is not None and report.http.agent_rss_mb > 0

    assert report.start is not None and report.start.error is None, report.start
    assert [(r.kind, r.pack_set) for r in report.start.rows] == [
        ("cold", "bundled"),
        ("cached", "bundled"),
        ("cold", "bundled+1k"),
        ("cached", "bundled+1k"),
    ]
    assert all(r.ms > 0 for r in report.start.rows)

    assert report.extension is not None and report.extension.beyond_debounce is not None
    assert report.extension.beyond_debounce.p50_us == pytest.approx(52_500)


def test_a_bad_json_directory_is_a_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "x.json"
    done = subprocess.run(
        [sys.executable, "-m", "agent", "bench", "--quick", "--json", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "does not exist" in done.stderr


def test_an_unreadable_extension_recording_is_reported_not_fatal(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert read_extension_section(broken).error == "not a latency recording"
    assert read_extension_section(tmp_path / "missing.json").error is not None
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"debounce_ms": 300, "samples_ms": []}))
    assert read_extension_section(empty).error == "the recording has no samples"
    # Without a debounce of its own, the recording is read against the extension's.
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"samples": [{"in_page_ms": 420.0}]}))
    section = read_extension_section(bare)
    assert section.debounce_ms == 300 and section.beyond_debounce is not None
    assert section.beyond_debounce.p50_us == pytest.approx(120_000)
