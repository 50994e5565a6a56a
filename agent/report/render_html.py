"""The report as one self-contained HTML page: inline CSS and SVG, no scripts, no fetches."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from agent.report import fleet_view
from agent.report.cells import count, day, percent
from agent.report.model import Report, RuleStats
from agent.report.svg import OTHER_COLOUR, PALETTE, Series, horizontal_bars, stacked_bars

CHART_RULES = len(PALETTE) - 1  # the rest are summed into "other rules"

# Read once at import; inlined into every page so the file stands alone.
_CSS = (Path(__file__).parent / "report.css").read_text(encoding="utf-8")


def render_html(report: Report) -> str:
    body = [
        _header(report),
        _cards(report),
        _overrides_chart(report),
        _fp_chart(report),
        _rules_table(report),
        _categories_table(report),
        _versions_table(report),
        _coverage(report),
        _fleet(report),
        _worth_revising(report),
        f"<footer>Generated {_when(report.generated_at)} by postguard report. "
        f"False-positive rate = {escape(report.false_positive_basis)}.</footer>",
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No scripts, styles or images from elsewhere, even if a justification carries markup.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>PostGuard override report</title><style>{_CSS}</style></head><body><main>"
        + "".join(body)
        + "</main></body></html>\n"
    )


def _header(report: Report) -> str:
    period = f"{day(report.first_event)} – {day(report.last_event)}"
    since = f" · since {day(report.since)}" if report.since else ""
    return (
        "<header><h1>PostGuard override report</h1>"
        f"<p>Events {escape(period)}{escape(since)}</p></header>"
    )


def _cards(report: Report) -> str:
    t, ack = report.totals, report.acknowledgement
    cards = [
        (str(t.overrides), "overrides"),
        (str(t.false_positives), "false-positive reports"),
        (str(len(report.rules)), "rules involved"),
        (str(t.users), "users seen"),
        ("–" if ack.ratio is None else f"{ack.ratio:.0%}", "acknowledged current policy"),
    ]
    inner = "".join(
        f'<div class="card"><div class="n">{escape(n)}</div><div class="l">{escape(label)}</div>'
        "</div>"
        for n, label in cards
    )
    skipped = (
        f'<p class="note">{t.skipped} events could not be read or were dated out of range '
        "and are not counted.</p>"
        if t.skipped
        else ""
    )
    return f'<section class="cards">{inner}</section>{skipped}'


def _overrides_chart(report: Report) -> str:
    rules = [r for r in report.rules if r.overrides]
    rules.sort(key=lambda r: -r.overrides)
    shown, rest = rules[:CHART_RULES], rules[CHART_RULES:]
    series = [
        Series(r.rule_id, [r.weekly_overrides.get(w, 0) for w in report.weeks], PALETTE[i])
        for i, r in enumerate(shown)
    ]
    if rest:
        values = [sum(r.weekly_overrides.get(w, 0) for r in rest) for w in report.weeks]
        series.append(Series(f"{len(rest)} other rules", values, OTHER_COLOUR))
    chart = (
        stacked_bars(report.weeks, series)
        if series
        else '<p class="note">No overrides in this period.</p>'
    )
    return f'<h2>Overrides per rule per week</h2><div class="chart">{chart}</div>'


def _fp_chart(report: Report) -> str:
    rated = [r for r in report.rules if r.false_positive_rate is not None]
    rated.sort(key=lambda r: (-(r.false_positive_rate or 0), -r.false_positives, r.rule_id))
    rows = [
        (r.rule_id, r.false_positive_rate or 0.0, f"{r.false_positives} of {_basis(r)}")
        for r in rated[:15]
    ]
    chart = horizontal_bars(rows) if rows else '<p class="note">Nothing to rate yet.</p>'
    return (
        f'<h2>False-positive rate per rule</h2><div class="chart">{chart}</div>'
        f'<p class="note">{escape(report.false_positive_basis)}.</p>'
    )


def _basis(rule: RuleStats) -> int:
    return rule.warned if rule.warned is not None else rule.overrides + rule.false_positives


def _rules_table(report: Report) -> str:
    rows = "".join(
        "<tr>"
        f"<td><code>{escape(r.rule_id)}</code><br>"
        f'<span class="note">{escape(r.pack_id)}</span></td>'
        f'<td>{escape(r.category)}</td><td><span class="pill sev-{escape(r.severity)}">'
        f"{escape(r.severity)}</span></td>"
        f'<td class="num">{count(r.warned)}</td>'
        f'<td class="num">{r.overrides}</td><td class="num">{r.false_positives}</td>'
        f'<td class="num">{percent(r.false_positive_rate)}</td>'
        f"<td>{_reasons(r)}</td></tr>"
        for r in report.rules
    )
    return (
        "<h2>Per rule</h2><table><thead><tr><th>rule</th><th>category</th><th>severity</th>"
        '<th class="num">warned</th><th class="num">overrides</th><th class="num">FP reports</th>'
        '<th class="num">FP rate</th><th>top reasons</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _categories_table(report: Report) -> str:
    rows = "".join(
        f'<tr><td>{escape(c.category)}</td><td class="num">{c.rules}</td>'
        f'<td class="num">{count(c.warned)}</td>'
        f'<td class="num">{c.overrides}</td><td class="num">{c.false_positives}</td></tr>'
        for c in report.categories
    )
    return (
        '<h2>Per category</h2><table><thead><tr><th>category</th><th class="num">rules</th>'
        '<th class="num">warned</th><th class="num">overrides</th><th class="num">FP reports</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _versions_table(report: Report) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(r.rule_id)}</code></td><td>{escape(v.pack_id)}</td>"
        f"<td>{escape(v.pack_version)}</td><td>{day(v.first_seen)}</td><td>{day(v.last_seen)}</td>"
        f'<td class="num">{v.overrides}</td><td class="num">{v.false_positives}</td></tr>'
        for r in report.rules
        for v in r.versions
    )
    return (
        "<h2>By pack version over time</h2><table><thead><tr><th>rule</th><th>pack</th>"
        "<th>version</th><th>first seen</th><th>last seen</th>"
        '<th class="num">overrides</th><th class="num">FP reports</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _coverage(report: Report) -> str:
    ack = report.acknowledgement
    if ack.policy_version is None:
        text = f"No acknowledgements recorded; {ack.users_seen} users seen."
        ratio = 0.0
    else:
        ratio = ack.ratio or 0.0
        text = (
            f"{ack.acknowledged} of {ack.users_seen} users seen acknowledged policy version "
            f"<b>{escape(ack.policy_version)}</b> ({ratio:.0%})."
        )
    return (
        f"<h2>Acknowledgement coverage</h2><p>{text}</p>"
        f'<div class="meter"><span style="width:{ratio * 100:.1f}%"></span></div>'
    )


def _fleet(report: Report) -> str:
    fleet = report.fleet
    summary = f'<p class="note">{escape(fleet_view.summary(fleet))}</p>'
    if not fleet.devices:
        return f"<h2>Fleet</h2>{summary}"
    head = "".join(f"<th>{escape(h)}</th>" for h in fleet_view.HEADERS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(text)}</td>" for text in fleet_view.cells(d)) + "</tr>"
        for d in fleet.devices
    )
    return (
        f"<h2>Fleet</h2>{summary}<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _worth_revising(report: Report) -> str:
    by_id = {r.rule_id: r for r in report.rules}
    if not report.worth_revising:
        return (
            "<h2>Rules most worth revising</h2>"
            '<p class="note">None: no overrides or false-positive reports in this period.</p>'
        )
    items = []
    for rule_id in report.worth_revising:
        r = by_id[rule_id]
        quotes = "".join(f"<blockquote>{escape(j)}</blockquote>" for j in r.justifications[:2])
        comments = "".join(
            f"<blockquote>False-positive note: {escape(c)}</blockquote>"
            for c in r.feedback_comments[:1]
        )
        items.append(
            f"<li><h3><code>{escape(rule_id)}</code> · {escape(r.category)}</h3>"
            f"<div>{r.overrides} overrides, {r.false_positives} false-positive reports"
            f" (FP rate {percent(r.false_positive_rate)}). Top reasons: {_reasons(r)}</div>"
            f"{quotes}{comments}</li>"
        )
    return (
        "<h2>Rules most worth revising</h2>"
        '<p class="note">Ranked by overrides plus false-positive reports.</p>'
        f'<ol class="revise">{"".join(items)}</ol>'
    )


def _reasons(rule: RuleStats) -> str:
    return "; ".join(f"{escape(c.label)} ({c.count})" for c in rule.top_reasons) or "–"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
