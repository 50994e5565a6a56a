"""Turning events into the report: counts per rule, category, pack version and week."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from agent.report.events import EventSet, FlaggedRule
from agent.report.model import (
    AckCoverage,
    CategoryStats,
    Count,
    Fleet,
    Report,
    RuleStats,
    Totals,
    VersionStats,
)

TOP_REASONS = 3
JUSTIFICATIONS_SHOWN = 3
WORTH_REVISING = 5


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(first: datetime, last: datetime) -> list[str]:
    """Every ISO week from first to last, so quiet weeks show as zero, not as gaps."""
    weeks: list[str] = []
    moment = first - timedelta(days=first.weekday())
    while moment <= last:
        weeks.append(iso_week(moment))
        moment += timedelta(days=7)
    return weeks


def version_key(version: str) -> tuple[int, ...]:
    # ASCII digits only: str.isdigit() also admits "²", which int() refuses.  Event strings
    # are bounded (report.events), so int() never meets a number too long to convert.
    parts = []
    for part in version.split("."):
        parts.append(int(part) if part.isascii() and part.isdigit() else -1)
    return tuple(parts)


@dataclass
class _Version:
    first: datetime
    last: datetime
    warned: int = 0
    overrides: int = 0
    false_positives: int = 0

    def seen(self, when: datetime) -> None:
        self.first, self.last = min(self.first, when), max(self.last, when)


@dataclass
class _Rule:
    rule_id: str
    pack_id: str = "?"
    category: str = "unknown"
    severity: str = "?"
    warned: int = 0
    overrides: int = 0
    false_positives: int = 0
    other_feedback: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    justifications: list[tuple[datetime, str]] = field(default_factory=list)
    comments: list[tuple[datetime, str]] = field(default_factory=list)
    versions: dict[tuple[str, str], _Version] = field(default_factory=dict)
    weeks: Counter[str] = field(default_factory=Counter)

    def describe(self, flagged: FlaggedRule) -> None:
        self.pack_id, self.category, self.severity = (
            flagged.pack_id,
            flagged.category,
            flagged.severity,
        )

    def version(self, pack_id: str, pack_version: str, when: datetime) -> _Version:
        entry = self.versions.setdefault((pack_id, pack_version), _Version(when, when))
        entry.seen(when)
        return entry


def build_report(
    events: EventSet,
    since: datetime | None,
    now: datetime | None = None,
    fleet: Fleet | None = None,
) -> Report:
    rules: dict[str, _Rule] = {}

    def rule(rule_id: str) -> _Rule:
        return rules.setdefault(rule_id, _Rule(rule_id))

    for check in events.checks:
        for flagged in _distinct(check.payload.findings):
            entry = rule(flagged.rule_id)
            entry.describe(flagged)
            entry.warned += 1
            entry.version(flagged.pack_id, flagged.pack_version, check.time).warned += 1

    for override in events.overrides:
        for flagged in _distinct(override.payload.findings):
            entry = rule(flagged.rule_id)
            entry.describe(flagged)
            entry.overrides += 1
            entry.reasons[override.payload.reason] += 1
            entry.justifications.append((override.time, override.payload.justification))
            entry.weeks[iso_week(override.time)] += 1
            entry.version(flagged.pack_id, flagged.pack_version, override.time).overrides += 1

    for feedback in events.feedback:
        payload = feedback.payload
        entry = rule(payload.rule_id)
        if payload.pack_id and entry.pack_id == "?":
            entry.pack_id = payload.pack_id
        if payload.kind == "false_positive":
            entry.false_positives += 1
            if payload.pack_id and payload.pack_version:
                version = entry.version(payload.pack_id, payload.pack_version, feedback.time)
                version.false_positives += 1
        else:
            entry.other_feedback += 1
        if payload.comment:
            entry.comments.append((feedback.time, payload.comment))

    checks_recorded = bool(events.checks)
    stats = [_rule_stats(entry, checks_recorded) for entry in rules.values()]
    stats.sort(key=lambda r: (-r.revision_score, -r.overrides, r.rule_id))
    fp_total = sum(r.false_positives for r in stats)
    other_total = sum(r.other_feedback for r in stats)
    weeks = weeks_between(events.first, events.last) if events.first and events.last else []
    report = Report(
        generated_at=now or datetime.now(UTC),
        since=since,
        first_event=events.first,
        last_event=events.last,
        false_positive_basis=(
            "false-positive reports ÷ checks that warned"
            if checks_recorded
            else "false-positive reports ÷ (overrides + false-positive reports); "
            "agents do not record warned checks"
        ),
        totals=Totals(
            events=len(events.overrides)
            + len(events.feedback)
            + len(events.acknowledgements)
            + len(events.checks),
            overrides=len(events.overrides),
            false_positives=fp_total,
            other_feedback=other_total,
            acknowledgements=len(events.acknowledgements),
            users=len(events.users),
            skipped=events.skipped,
        ),
        weeks=weeks,
        rules=stats,
        categories=_categories(stats, checks_recorded),
        acknowledgement=_coverage(events),
        worth_revising=[r.rule_id for r in stats if r.revision_score > 0][:WORTH_REVISING],
    )
    return report if fleet is None else report.model_copy(update={"fleet": fleet})


def _distinct(findings: list[FlaggedRule]) -> list[FlaggedRule]:
    """One override of a post that hit a rule twice counts once for that rule."""
    seen: dict[str, FlaggedRule] = {}
    for flagged in findings:
        seen.setdefault(flagged.rule_id, flagged)
    return list(seen.values())


def _rule_stats(entry: _Rule, checks_recorded: bool) -> RuleStats:
    basis = entry.warned if checks_recorded else entry.overrides + entry.false_positives
    recent = sorted(entry.justifications, key=lambda item: item[0], reverse=True)
    comments = sorted(entry.comments, key=lambda item: item[0], reverse=True)
    versions = [
        VersionStats(
            pack_id=pack_id,
            pack_version=pack_version,
            first_seen=v.first,
            last_seen=v.last,
            warned=v.warned,
            overrides=v.overrides,
            false_positives=v.false_positives,
        )
        for (pack_id, pack_version), v in sorted(
            entry.versions.items(), key=lambda item: (item[0][0], version_key(item[0][1]))
        )
    ]
    return RuleStats(
        rule_id=entry.rule_id,
        pack_id=entry.pack_id,
        category=entry.category,
        severity=entry.severity,
        warned=entry.warned if checks_recorded else None,
        overrides=entry.overrides,
        false_positives=entry.false_positives,
        other_feedback=entry.other_feedback,
        false_positive_rate=round(entry.false_positives / basis, 4) if basis else None,
        top_reasons=[Count(label=r, count=n) for r, n in entry.reasons.most_common(TOP_REASONS)],
        justifications=[text for _, text in recent[:JUSTIFICATIONS_SHOWN]],
        feedback_comments=[text for _, text in comments[:JUSTIFICATIONS_SHOWN]],
        versions=versions,
        weekly_overrides=dict(sorted(entry.weeks.items())),
    )


def _categories(stats: list[RuleStats], checks_recorded: bool) -> list[CategoryStats]:
    grouped: dict[str, list[RuleStats]] = defaultdict(list)
    for rule in stats:
        grouped[rule.category].append(rule)
    rows = [
        CategoryStats(
            category=category,
            rules=len(rules),
            warned=sum(r.warned or 0 for r in rules) if checks_recorded else None,
            overrides=sum(r.overrides for r in rules),
            false_positives=sum(r.false_positives for r in rules),
        )
        for category, rules in grouped.items()
    ]
    return sorted(rows, key=lambda c: (-(c.overrides + c.false_positives), c.category))


def _coverage(events: EventSet) -> AckCoverage:
    if not events.acknowledgements:
        return AckCoverage(policy_version=None, acknowledged=0, users_seen=len(events.users))
    current = max((a.policy_version for a in events.acknowledgements), key=version_key)
    acknowledged = {a.user for a in events.acknowledgements if a.policy_version == current}
    return AckCoverage(
        policy_version=current, acknowledged=len(acknowledged), users_seen=len(events.users)
    )
