"""Run every rule's own examples against the layered pack set (``postguard pack test``).

Examples run through the real compiled engine, with the pack loaded after
the packs before it, exactly as in production.  A positive example must
produce a finding of its rule (with the expected ``matched`` text, when
given); a negative example must produce none.  Time-bound rules are tried
inside their active window, platform-bound rules on their first platform.

A hashed rule's examples name what its list hides, so a failure of one is
reported by its position, never its text.  A published pack carries
placeholders instead of those examples (see :mod:`agent.publish.withhold`):
they are counted as withheld, not run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from agent.engine.engine import Engine
from agent.engine.result import PackRef, Platform
from agent.packs.compile import compile_engine
from agent.packs.hashing import WITHHELD_EXAMPLE, is_hashed
from agent.packs.loader import SourcedRule, load_pack_set
from agent.packs.models import ExampleBase, Rule


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExampleFailure(_Model):
    pack: PackRef
    rule_id: str
    location: str  # file:line of the rule
    kind: str  # "match" | "no_match"
    number: int  # 1-based, among the rule's examples of this kind
    text: str  # empty for a hashed rule: its examples name what the list hides
    expected: str
    got: str

    @property
    def hidden(self) -> bool:
        return not self.text

    def example(self) -> str:
        if self.hidden:
            return f"#{self.number} (text not shown: the rule's list is hashed)"
        return repr(self.text)


class PackSummary(_Model):
    pack: PackRef
    rules: int
    examples: int
    failed: int
    disabled_rules: int
    withheld_rules: int = 0  # hashed rules of a published pack: examples not shipped

    def line(self) -> str:
        disabled = f", {self.disabled_rules} disabled" if self.disabled_rules else ""
        withheld = (
            f", {self.withheld_rules} hashed rule(s) with examples withheld at publication"
            if self.withheld_rules
            else ""
        )
        return (
            f"{self.pack.id} {self.pack.version}: {self.rules} rules, {self.examples} examples,"
            f" {self.failed} failed{disabled}{withheld}"
        )


class WithheldRule(_Model):
    pack: PackRef
    rule_id: str
    location: str  # file:line of the rule


class PackTestReport(_Model):
    packs: list[PackSummary]
    failures: list[ExampleFailure]
    withheld: list[WithheldRule] = []

    @property
    def ok(self) -> bool:
        return not self.failures


def run_pack_examples(dirs: Sequence[Path], *, now: datetime | None = None) -> PackTestReport:
    """Load ``dirs`` as one layered set and run every enabled rule's examples.

    Raises ``PackError`` when the set does not load.
    """
    pack_set = load_pack_set(dirs)
    engine = compile_engine(pack_set)
    clock = now or datetime.now(UTC)
    disabled = set(pack_set.disabled)
    summaries: list[PackSummary] = []
    failures: list[ExampleFailure] = []
    withheld: list[WithheldRule] = []
    for pack in pack_set.packs:
        examples = 0
        failed_before = len(failures)
        withheld_before = len(withheld)
        disabled_count = 0
        for sourced in pack.rules:
            if (pack.meta.id, sourced.rule.id) in disabled:
                disabled_count += 1
                continue
            if _withheld(sourced.rule):
                withheld.append(
                    WithheldRule(
                        pack=pack.ref,
                        rule_id=sourced.rule.id,
                        location=f"{sourced.path}:{sourced.line}",
                    )
                )
                continue
            examples += _run_rule(engine, pack.ref, sourced, clock, failures)
        summaries.append(
            PackSummary(
                pack=pack.ref,
                rules=len(pack.rules),
                examples=examples,
                failed=len(failures) - failed_before,
                disabled_rules=disabled_count,
                withheld_rules=len(withheld) - withheld_before,
            )
        )
    return PackTestReport(packs=summaries, failures=failures, withheld=withheld)


def _withheld(rule: Rule) -> bool:
    """A hashed rule as published: every example is the placeholder."""
    texts = [e.text for e in (*rule.examples.positives(), *rule.examples.negatives())]
    return is_hashed(rule.match) and all(text == WITHHELD_EXAMPLE for text in texts)


def _run_rule(
    engine: Engine,
    pack: PackRef,
    sourced: SourcedRule,
    clock: datetime,
    failures: list[ExampleFailure],
) -> int:
    rule = sourced.rule
    location = f"{sourced.path}:{sourced.line}"
    hidden = is_hashed(rule.match)

    def fail(kind: str, text: str, expected: str, got: str, number: int) -> None:
        if hidden:  # the text names a listed phrase: say which example, not what it says
            text = ""
            if expected.startswith("matched"):
                expected = "a finding on its `matched` text"
            if got.startswith("matched"):
                got = "a finding on other text" if kind == "match" else "a finding"
        failures.append(
            ExampleFailure(
                pack=pack,
                rule_id=rule.id,
                location=location,
                kind=kind,
                number=number,
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
    for number, positive in enumerate(positives, start=1):
        found = matched(positive)
        if not found:
            fail("match", positive.text, "a finding", "no finding", number)
        elif positive.matched is not None and positive.matched not in found:
            fail("match", positive.text, f"matched {positive.matched!r}", _quoted(found), number)
    for number, negative in enumerate(negatives, start=1):
        found = matched(negative)
        if found:
            fail("no_match", negative.text, "no finding", _quoted(found), number)
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
