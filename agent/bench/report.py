"""Render a ``BenchReport`` as pipe tables: readable in a terminal, pasteable into the docs."""

from __future__ import annotations

from collections.abc import Sequence

from agent.bench.models import (
    BenchReport,
    CompileSection,
    EngineSection,
    ExtensionSection,
    HttpSection,
    StartSection,
)
from agent.bench.stats import Latency


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def _us(latency: Latency | None) -> str:
    return f"{latency.p50_us:,.1f} / {latency.p99_us:,.1f}" if latency else "–"


def _ms(latency: Latency | None) -> str:
    return f"{latency.p50_us / 1000:.2f} / {latency.p99_us / 1000:.2f}" if latency else "–"


def _x(value: float | None) -> str:
    return f"{value:,.1f}×" if value is not None else "–"


def _engine(section: EngineSection) -> list[str]:
    out = ["## Engine check latency, µs p50 / p99", ""]
    if section.error:
        out += [f"engine: {section.error}", ""]
    sizes = sorted(
        {c.text_chars for c in section.cells} | {b.text_chars for b in section.baselines}
    )
    pack_sets = list(dict.fromkeys(c.pack_set for c in section.cells))
    cell = {(c.pack_set, c.text_chars): c for c in section.cells}
    if pack_sets:
        rows = [
            [
                name,
                *(_us(cell[(name, s)].latency) if (name, s) in cell else "–" for s in sizes),
                str(max((cell[(name, s)].findings for s in sizes if (name, s) in cell), default=0)),
            ]
            for name in pack_sets
        ]
        out += [*_table(["pack set", *(f"{s:,} chars" for s in sizes), "findings"], rows), ""]
    out += ["## Same phrases three ways, µs p50 (engine: phrase-only pack)", ""]
    base = {(b.method, b.phrases, b.text_chars): b for b in section.baselines}
    only = {
        (c.phrases, c.text_chars): c for c in section.cells if c.pack_set.startswith("phrases-")
    }
    rows = []
    for phrases in sorted({b.phrases for b in section.baselines}):
        for size in sizes:
            bare, regex = base.get(("bare_scan", phrases, size)), base.get(("regex", phrases, size))
            engine = only.get((phrases, size))
            e50 = engine.latency.p50_us if engine else None
            b50 = bare.latency.p50_us if bare and bare.latency else None
            r50 = regex.latency.p50_us if regex and regex.latency else None
            rows.append(
                [
                    f"{phrases:,}",
                    f"{size:,}",
                    f"{e50:,.1f}" if e50 else "–",
                    f"{b50:,.1f}" if b50 else "–",
                    f"{r50:,.0f}" if r50 else "–",
                    _x(e50 / b50 if e50 and b50 else None),
                    _x(r50 / e50 if e50 and r50 else None),
                ]
            )
    headers = ["phrases", "chars", "engine", "bare scan", "regex", "engine/bare", "regex/engine"]
    return [*out, *_table(headers, rows), ""]


def _compile(section: CompileSection) -> list[str]:
    out = ["## Pack compile and memory (fresh process per pack set)", ""]
    if section.error:
        out += [f"compile: {section.error}", ""]
    rows = [
        [
            r.pack_set,
            f"{r.load_ms:,.0f}" if r.load_ms is not None else "–",
            f"{r.compile_ms:,.0f}",
            f"{r.rss_base_mb:.0f}",
            f"{r.rss_mb:.0f}",
        ]
        for r in section.rows
    ]
    headers = ["pack set", "load ms", "compile ms", "RSS before MB", "RSS ready MB"]
    return [*out, *_table(headers, rows), ""]


def _start(section: StartSection) -> list[str]:
    out = ["## Agent start (spawn → /v1/health 200)", ""]
    if section.error:
        out += [f"start: {section.error}", ""]
    rows = [[r.pack_set, r.kind, f"{r.ms:,.0f}"] for r in section.rows]
    out += _table(["pack set", "start", "ms"], rows)
    if not section.compiled_cache:
        out += ["", "The agent left no compiled cache: the cached start repeats the full load."]
    return [*out, ""]


def _http(section: HttpSection) -> list[str]:
    out = [f"## POST /v1/check over loopback HTTP ({section.text_chars:,}-char post)", ""]
    if section.error:
        out += [f"http: {section.error}", ""]
    rows = [
        [
            r.target,
            str(r.concurrency),
            _ms(r.latency),
            f"{r.checks_per_s:,.0f}",
            ", ".join(f"{k}: {v}" for k, v in r.errors.items()) or "0",
        ]
        for r in section.rows
    ]
    out += _table(["server", "clients", "ms p50 / p99", "checks/s", "errors"], rows)
    if section.idle:
        out += [
            "",
            f"Agent idle CPU over {section.idle.seconds:.0f} s: "
            f"{section.idle.cpu_seconds * 1000:.1f} ms CPU "
            f"({section.idle.percent_of_one_core:.2f}% of one core).",
        ]
    if section.agent_rss_mb is not None:
        out += [f"Agent RSS after the load: {section.agent_rss_mb:.0f} MB."]
    return [*out, ""]


def _extension(section: ExtensionSection) -> list[str]:
    out = ["## Extension: keystroke pause → highlight", ""]
    if section.error or not section.beyond_debounce or section.debounce_ms is None:
        return [*out, f"not measured: {section.error or 'no samples'} ({section.source})", ""]
    lat = section.beyond_debounce
    return [
        *out,
        f"{lat.samples} samples beyond a {section.debounce_ms:.0f} ms debounce: "
        f"p50 {lat.p50_us / 1000:.0f} ms, p99 {lat.p99_us / 1000:.0f} ms ({section.source})",
        "",
    ]


def render_table(report: BenchReport) -> str:
    m = report.machine
    out = [
        f"# postguard bench{' --quick' if report.quick else ''}: {m.cpus} CPUs, Python {m.python}, "
        f"{m.platform}, load {m.load_avg_1m:.2f} at start, {report.duration_s:.0f} s",
        "",
    ]
    if m.gauge_start_ms is not None and m.gauge_end_ms is not None:
        out += [
            f"CPU gauge (a fixed workload; lower is faster): {m.gauge_start_ms:.1f} ms at the "
            f"start, {m.gauge_end_ms:.1f} ms at the end.",
            "",
        ]
    if report.engine:
        out += _engine(report.engine)
    if report.compile:
        out += _compile(report.compile)
    if report.start:
        out += _start(report.start)
    if report.http:
        out += _http(report.http)
    if report.extension:
        out += _extension(report.extension)
    verdict = {True: "met", False: "MISSED", None: "not judged" if report.quick else "–"}
    out += ["## Budgets", ""]
    out += _table(
        ["budget", "target", "measured", "status"],
        [[b.name, b.target, b.measured, verdict[b.met]] for b in report.budgets],
    )
    if report.notes:
        out += ["", *(f"- {note}" for note in report.notes)]
    return "\n".join(out) + "\n"
