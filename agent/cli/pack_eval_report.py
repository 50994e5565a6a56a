"""Human-readable ``postguard pack eval`` output: tables first, then the posts to look at."""

from __future__ import annotations

from agent.packs.evaluate import EvalReport, FoundRef, Threshold


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def render_text(report: EvalReport) -> str:
    level = report.min_severity.value
    packs = ", ".join(f"{p.id} {p.version}" for p in report.packs)
    out = [
        f"packs: {packs}",
        f"posts: {report.posts} ({report.violation_posts} with expected categories,"
        f" {report.benign.posts} benign); a category counts when raised at {level} or above",
        "",
    ]
    out.extend(_category_table(report))
    out.append("")
    benign = report.benign
    out.append(
        f"benign posts: {benign.posts}; false alarms: {benign.false_alarms}"
        f" ({percent(benign.false_alarm_rate)})"
    )
    other = report.other_categories
    out.append(
        f"other categories: {other.findings} findings on {other.posts} violation posts"
        " (column 'other'; not false alarms)"
    )
    out.append("")
    out.extend(_rule_table(report))
    out.extend(_misses(report))
    out.extend(_false_alarms(report))
    return "\n".join(out)


def threshold_failure(threshold: Threshold) -> str:
    """One line saying which limit was missed and by how much."""
    actual = threshold.actual
    if threshold.name == "min_recall":
        if actual is None:
            return "--min-recall not met: the corpus has no posts with expected categories"
        return (
            f"--min-recall not met: overall recall {percent(actual)} is below"
            f" {percent(threshold.limit)}"
        )
    if threshold.name == "max_false_alarms":
        return (
            f"--max-false-alarms not met: {int(actual or 0)} benign posts flagged, at most"
            f" {int(threshold.limit)} allowed"
        )
    if actual is None:
        return "--max-false-alarms not met: the corpus has no benign posts"
    return (
        f"--max-false-alarms not met: false-alarm rate {percent(actual)} is above"
        f" {percent(threshold.limit)}"
    )


def _category_table(report: EvalReport) -> list[str]:
    rows = [
        [c.category.value, str(c.expected), str(c.caught), percent(c.recall), str(c.other)]
        for c in report.categories
    ]
    overall = report.overall
    rows.append(
        ["overall", str(overall.expected), str(overall.caught), percent(overall.recall), ""]
    )
    return _table(["category", "expected", "caught", "recall", "other"], rows)


def _rule_table(report: EvalReport) -> list[str]:
    active = [r for r in report.rules if r.on_expected or r.on_benign or r.on_other]
    rows = [
        [
            f"{r.pack}/{r.rule_id}",
            r.category.value,
            str(r.on_expected),
            str(r.on_benign),
            str(r.on_other),
        ]
        for r in active
    ]
    header = ["rule (posts flagged)", "category", "expected", "benign", "other"]
    out = _table(header, rows, left=2)
    silent = len(report.rules) - len(active)
    if silent:
        out.append(f"{silent} other rules flagged nothing at {report.min_severity.value} or above")
    return out


def _misses(report: EvalReport) -> list[str]:
    total = report.overall.expected - report.overall.caught
    if not total:
        return []
    out = ["", f"misses: {total}{_shown(report, len(report.misses), total)}"]
    for miss in report.misses:
        out.append(f"  {miss.post.label} {miss.category.value}: {miss.text!r}")
        if not miss.found:
            out.append("    found: nothing")
        out.extend(f"    found: {_describe(f)}" for f in miss.found)
    return out


def _false_alarms(report: EvalReport) -> list[str]:
    total = report.benign.false_alarms
    if not total:
        return []
    out = ["", f"false alarms: {total}{_shown(report, len(report.false_alarms), total)}"]
    for alarm in report.false_alarms:
        out.append(f"  {alarm.post.label}: {alarm.text!r}")
        out.extend(f"    {_describe(f)}" for f in alarm.findings)
    return out


def _shown(report: EvalReport, listed: int, total: int) -> str:
    return "" if listed >= total else f" ({listed} listed; --show 0 lists all)"


def _describe(found: FoundRef) -> str:
    return f"{found.pack}/{found.rule_id} {found.severity.value} {found.matched!r}"


def _table(header: list[str], rows: list[list[str]], *, left: int = 1) -> list[str]:
    """The first ``left`` columns (names) left-aligned, the numbers right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return [line(header), *(line(row) for row in rows)]
