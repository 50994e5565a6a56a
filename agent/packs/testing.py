"""Run every rule's own examples against the layered pack set (``postguard pack test``).

Examples run through the real compiled engine, with the pack loaded after
the packs before it, exactly as in production.  A positive example must
produce a finding of its rule (with the expected ``matched`` text, when
given); a negative example must produce none.  Time-bound rules are tried
inside their active window, platform-bound rules on their first platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.engine.engine import Engine
from agent.engine.result import PackRef, Platform
from agent.packs.loader import SourcedRule, load_pack_set
from agent.packs.models import ExampleBase, Rule


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExampleFailure(_Model):
    pack: PackRef
    rule_id: str
    location: str  # file:line of the rule
    kind: str  # "match" | "no_match"
    text: str
    expected: str
    got: str


class PackSummary(_Model):
    pack: PackRef
    rules: int
    examples: int
    failed: int
    disabled_rules: int

    def line(self) -> str:
        disabled = f", {self.disabled_rules} disabled" if self.disabled_rules else ""
        return (
            f"{self.pack.id} {self.pack.version}: {self.rules} rules, {self.examples} examples,"
            f" {self.failed} failed{disabled}"
        )


class PackTestReport(_Model):
    packs: list[PackSummary]
    failures: list[ExampleFailure]

    @property
    def ok(self) -> bool:
        return not self.failures


def run_pack_examples(dirs: Sequence[Path], *, now: datetime | None = None) -> PackTestReport:
    """Load ``dirs`` as one layered set and run every enabled rule's examples.

    Raises ``PackError`` when the set does not load.
    """
    pack_set = load_pack_set(dirs)
    engine = Engine.compile(pack_set)
    clock = now or datetime.now(UTC)
    disabled = set(pack_set.disabled)
    summaries: list[PackSummary] = []
    failures: list[ExampleFailure] = []
    for pack in pack_set.packs:
        examples = 0
        failed_before = len(failures)
        disabled_count = 0
        for sourced in pack.rules:
            if (pack.meta.id, sourced.rule.id) in disabled:
                disabled_count += 1
                continue
            examples += _run_rule(engine, pack.ref, sourced, clock, failures)
        summaries.append(
            PackSummary(
                pack=pack.ref,
                rules=len(pack.rules),
                examples=examples,
                failed=len(failures) - failed_before,
                disabled_rules=disabled_count,
            )
        )
    return PackTestReport(packs=summaries, failures=failures)


def _run_rule(
    engine: Engine,
    pack: PackRef,
    sourced: SourcedRule,
    clock: datetime,
    failures: list[ExampleFailure],
) -> int:
    rule = sourced.rule
    location = f"{sourced.path}:{sourced.line}"

    def fail(kind: str, text: str, expected: str, got: str) -> None:
        failures.append(
            ExampleFailure(
                pack=pack,
                rule_id=rule.id,
                location=location,
                kind=kind,
                text=text,
                expected=expected,
                got=got,
            )
        )

    def matched(example: ExampleBase) -> list[str]:
        result = engine.check(
            example.text, _platform(rule, example), example.at or _inside_window(rule, clock)
        )
        return [f.matched for f in result.findings if f.rule_id == rule.id and f.pack.id == pack.id]

    positives = rule.examples.positives()
    negatives = rule.examples.negatives()
    for positive in positives:
        found = matched(positive)
        if not found:
            fail("match", positive.text, "a finding", "no finding")
        elif positive.matched is not None and positive.matched not in found:
            fail("match", positive.text, f"matched {positive.matched!r}", _quoted(found))
    for negative in negatives:
        found = matched(negative)
        if found:
            fail("no_match", negative.text, "no finding", _quoted(found))
    return len(positives) + len(negatives)


def _quoted(found: list[str]) -> str:
    return "matched " + ", ".join(repr(m) for m in found)


def _platform(rule: Rule, example: ExampleBase) -> Platform:
    if example.platform is not None:
        return example.platform
    return rule.platforms[0] if rule.platforms else Platform.LINKEDIN


def _inside_window(rule: Rule, clock: datetime) -> datetime:
    window = rule.active
    if window is None or window.contains(clock):
        return clock
    if window.from_ is not None:
        return window.from_
    assert window.until is not None
    return window.until - timedelta(seconds=1)
