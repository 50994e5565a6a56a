"""A quick in-process run: the report's shape, sane numbers and the budget rows."""

from __future__ import annotations

import json

from agent.bench import BenchConfig, BenchReport, render_table
from agent.bench.budgets import evaluate_budgets
from agent.bench.models import EngineCell, EngineSection, Machine
from agent.bench.stats import Latency, percentile, summarize_ns


def test_every_pack_set_and_size_is_measured(
    quick_report: BenchReport, quick_config: BenchConfig
) -> None:
    assert quick_report.engine is not None and quick_report.engine.error is None
    measured = {(c.pack_set, c.text_chars) for c in quick_report.engine.cells}
    labels = ["200", "1k"]  # the quick phrase counts, 200 and 1,000
    assert quick_config.phrase_counts == (200, 1_000)
    names = {"bundled", *(f"bundled+{x}" for x in labels), *(f"phrases-{x}" for x in labels)}
    assert measured == {(name, size) for name in names for size in quick_config.text_sizes}


def test_latencies_are_sane(quick_report: BenchReport) -> None:
    assert quick_report.engine is not None
    for cell in quick_report.engine.cells:
        lat = cell.latency
        assert lat.samples >= 20
        assert 0 < lat.p50_us <= lat.p99_us <= lat.max_us
    for base in quick_report.engine.baselines:
        assert base.latency is not None and base.latency.p50_us > 0
    bare = [b for b in quick_report.engine.baselines if b.method == "bare_scan"]
    assert len(bare) == 4  # 2 phrase counts x 2 post sizes
    # no word boundaries in the floor: at least the planted phrases, maybe pieces of words
    assert all(b.matches is not None and b.matches >= 2 for b in bare)


def test_phrase_only_packs_find_what_the_bare_scan_finds(quick_report: BenchReport) -> None:
    assert quick_report.engine is not None
    for cell in quick_report.engine.cells:
        if cell.pack_set.startswith("phrases-"):
            assert cell.findings == 2  # the two planted phrases, nothing else
    regex_matches = [b.matches for b in quick_report.engine.baselines if b.method == "regex"]
    assert regex_matches and all(m == 2 for m in regex_matches)


def test_compile_rows_come_from_fresh_processes(
    quick_report: BenchReport, quick_config: BenchConfig
) -> None:
    assert quick_report.compile is not None and quick_report.compile.error is None
    rows = quick_report.compile.rows
    assert [r.phrases for r in rows] == [0, *quick_config.phrase_counts]
    for row in rows:
        assert row.load_ms is not None and row.load_ms > 0 and row.compile_ms > 0
        assert 0 < row.rss_base_mb <= row.rss_mb


def test_table_and_json_carry_every_budget(quick_report: BenchReport) -> None:
    table = render_table(quick_report)
    assert "## Engine check latency" in table and "## Budgets" in table
    m = quick_report.machine
    assert m.gauge_start_ms is not None and m.gauge_end_ms is not None and m.gauge_start_ms > 0
    assert f"{m.gauge_start_ms:.1f} ms at the start, {m.gauge_end_ms:.1f} ms at the end" in table
    assert len(quick_report.budgets) == 15
    for budget in quick_report.budgets:
        assert budget.name in table
        assert budget.met is None  # tiny sizes never judge a budget set for the real ones
    again = BenchReport.model_validate(json.loads(quick_report.model_dump_json()))
    assert again == quick_report


def _report_with_engine_p50(p50_us: float) -> BenchReport:
    latency = Latency(
        samples=500, p50_us=p50_us, p99_us=p50_us * 2, mean_us=p50_us, max_us=p50_us * 3
    )
    cell = EngineCell(
        pack_set="bundled+100k", phrases=100_000, text_chars=3_000, findings=0, latency=latency
    )
    return BenchReport(
        quick=False,
        config=BenchConfig(),
        machine=Machine(cpus=2, python="3.11", platform="Linux", load_avg_1m=0.0),
        duration_s=1.0,
        engine=EngineSection(cells=[cell]),
    )


def test_a_budget_is_met_or_missed_by_its_number() -> None:
    config = BenchConfig()
    fast = {b.name: b for b in evaluate_budgets(_report_with_engine_p50(400), config)}
    slow = {b.name: b for b in evaluate_budgets(_report_with_engine_p50(2_500), config)}
    p50 = "engine p50, 3,000-char post, bundled+100k"
    p99 = "engine p99, 3,000-char post, bundled+100k"
    assert (fast[p50].met, fast[p99].met) == (True, True)
    assert (slow[p50].met, slow[p99].met) == (False, False)
    assert fast["HTTP /v1/check p50, 1 client"].met is None  # not measured is not "met"


def test_percentiles_use_the_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.99) == 99
    summary = summarize_ns([1_000] * 99 + [100_000])
    assert (summary.p50_us, summary.p99_us, summary.max_us) == (1.0, 1.0, 100.0)
