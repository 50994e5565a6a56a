"""The performance budgets, each turned into a met/missed row from one run's numbers."""

from __future__ import annotations

from agent.bench.config import BenchConfig
from agent.bench.models import BenchReport, BudgetRow, HttpRow
from agent.bench.stats import Latency
from agent.bench.workspace import count_label

BUDGET_TEXT_CHARS = 3_000
REGEX_BUDGET_PHRASES = 10_000
# Growth allowed before a cost stops counting as flat (phrases) or linear (text length):
# a larger automaton costs a few more cache misses per character, which is not growth.
FLAT_FACTOR = 1.5
LINEAR_FACTOR = 1.5
IDLE_CPU_PERCENT = 1.0


def _at_most(name: str, limit: float, target: str, value: float | None, fmt: str) -> BudgetRow:
    if value is None:
        return BudgetRow(name=name, target=target, measured="not measured", met=None)
    return BudgetRow(name=name, target=target, measured=fmt.format(value), met=value <= limit)


def _at_least(name: str, limit: float, target: str, value: float | None, fmt: str) -> BudgetRow:
    if value is None:
        return BudgetRow(name=name, target=target, measured="not measured", met=None)
    return BudgetRow(name=name, target=target, measured=fmt.format(value), met=value >= limit)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def _ms(latency: Latency | None, which: str) -> float | None:
    if latency is None:
        return None
    return (latency.p50_us if which == "p50" else latency.p99_us) / 1000


class _Numbers:
    """Finds the measured values one budget needs; ``None`` when not measured."""

    def __init__(self, report: BenchReport, config: BenchConfig) -> None:
        self.report = report
        sizes = sorted(config.text_sizes)
        self.text = BUDGET_TEXT_CHARS if BUDGET_TEXT_CHARS in sizes else sizes[len(sizes) // 2]

    def engine(self, pack_set: str, text: int | None = None) -> Latency | None:
        cells = self.report.engine.cells if self.report.engine else []
        wanted = text or self.text
        found = [c.latency for c in cells if c.pack_set == pack_set and c.text_chars == wanted]
        return found[0] if found else None

    def p50(self, pack_set: str, text: int | None = None) -> float | None:
        latency = self.engine(pack_set, text)
        return latency.p50_us if latency else None

    def baseline(self, method: str, phrases: int) -> float | None:
        cells = self.report.engine.baselines if self.report.engine else []
        for cell in cells:
            if (cell.method, cell.phrases, cell.text_chars) == (method, phrases, self.text):
                return cell.latency.p50_us if cell.latency else None
        return None

    def http(self, concurrency: int) -> HttpRow | None:
        rows = self.report.http.rows if self.report.http else []
        found = [r for r in rows if r.target == "agent" and r.concurrency == concurrency]
        return found[0] if found else None


def _engine_rows(n: _Numbers, config: BenchConfig) -> list[BudgetRow]:
    chars = f"{n.text:,}-char post"
    largest, smallest = max(config.phrase_counts), min(config.phrase_counts)
    big, small = f"bundled+{count_label(largest)}", f"bundled+{count_label(smallest)}"
    regex_at = REGEX_BUDGET_PHRASES if REGEX_BUDGET_PHRASES in config.phrase_counts else smallest
    only = {count: f"phrases-{count_label(count)}" for count in config.phrase_counts}
    bare_ratios = [
        _ratio(n.p50(name), n.baseline("bare_scan", count)) for count, name in only.items()
    ]
    measured_bare = [ratio for ratio in bare_ratios if ratio is not None]
    longest = max(config.text_sizes)
    return [
        _at_most(f"engine p50, {chars}, {big}", 1, "≤ 1 ms", _ms(n.engine(big), "p50"),
                 "{:.3f} ms"),
        _at_most(f"engine p99, {chars}, {big}", 3, "≤ 3 ms", _ms(n.engine(big), "p99"),
                 "{:.3f} ms"),
        _at_least(f"faster than a regex alternation, {regex_at:,} phrases, {chars}", 100,
                  "≥ 100×", _ratio(n.baseline("regex", regex_at), n.p50(only[regex_at])),
                  "{:,.0f}×"),
        _at_most(f"engine / bare scan, phrase-only packs, {chars} (worst)", 5, "≤ 5×",
                 max(measured_bare) if len(measured_bare) == len(bare_ratios) else None,
                 "{:.1f}×"),
        _at_most(f"flat in phrases: p50 {big} / {small}, {chars}", FLAT_FACTOR,
                 f"≤ {FLAT_FACTOR}×", _ratio(n.p50(big), n.p50(small)), "{:.2f}×"),
        _at_most(f"linear in length: cost per char at {longest:,} / at {n.text:,}, {big}",
                 LINEAR_FACTOR, f"≤ {LINEAR_FACTOR}×",
                 _ratio(_ratio(n.p50(big, longest), longest), _ratio(n.p50(big), n.text)),
                 "{:.2f}×"),
    ]  # fmt: skip


def _http_rows(n: _Numbers) -> list[BudgetRow]:
    one, twenty, hundred = n.http(1), n.http(20), n.http(100)
    return [
        _at_most("HTTP /v1/check p50, 1 client", 2, "≤ 2 ms",
                 _ms(one.latency if one else None, "p50"), "{:.2f} ms"),
        _at_most("HTTP /v1/check p99, 20 clients", 15, "≤ 15 ms",
                 _ms(twenty.latency if twenty else None, "p99"), "{:.2f} ms"),
        _at_least("HTTP /v1/check throughput, 20 clients", 1000, "≥ 1,000 checks/s",
                  twenty.checks_per_s if twenty else None, "{:,.0f} checks/s"),
        _at_most("HTTP /v1/check errors, 100 clients", 0, "0",
                 float(sum(hundred.errors.values())) if hundred else None, "{:.0f}"),
    ]  # fmt: skip


def _resource_rows(report: BenchReport, largest: int) -> list[BudgetRow]:
    rows = report.compile.rows if report.compile else []
    big = next((row for row in rows if row.phrases == largest), None)
    cached = [row.ms for row in report.start.rows if row.kind == "cached"] if report.start else []
    idle = report.http.idle if report.http else None
    extension = report.extension.beyond_debounce if report.extension else None
    return [
        _at_most(f"compile {largest:,} phrases", 2, "≤ 2 s",
                 big.compile_ms / 1000 if big else None, "{:.2f} s"),
        _at_most("agent start from the compiled cache (slowest pack set)", 300, "≤ 300 ms",
                 max(cached) if cached else None, "{:,.0f} ms"),
        _at_most(f"RSS with {largest:,} phrases", 200, "≤ 200 MB",
                 big.rss_mb if big else None, "{:.0f} MB"),
        _at_most("agent idle CPU", IDLE_CPU_PERCENT, f"≤ {IDLE_CPU_PERCENT}% of one core",
                 idle.percent_of_one_core if idle else None, "{:.2f}%"),
        _at_most("extension: keystroke pause → highlight beyond the debounce, p99", 150,
                 "≤ 150 ms", _ms(extension, "p99"), "{:.0f} ms"),
    ]  # fmt: skip


def evaluate_budgets(report: BenchReport, config: BenchConfig) -> list[BudgetRow]:
    numbers = _Numbers(report, config)
    rows = [
        *_engine_rows(numbers, config),
        *_http_rows(numbers),
        *_resource_rows(report, max(config.phrase_counts)),
    ]
    if config.quick:
        # Tiny sizes say nothing about a budget set for the real ones.
        return [row.model_copy(update={"met": None}) for row in rows]
    return rows
