"""Measure a pack set on a labelled corpus of posts (``postguard pack eval``).

Each corpus post names the categories it should raise (``expect``); an empty list marks a
benign post.  A post is *caught* for an expected category when a finding of that category
reaches the chosen severity; a benign post with any such finding is a *false alarm*.  A
finding of an unexpected category on a violation post counts as "other": the post does
break a rule, just not the one it was labelled for, so it is neither a hit nor a false alarm.
A post that says which categories it was labelled for (``labelled_for``) is read for those
only: a finding of another category on it is neither a false alarm nor "other".

Rule examples (``pack test``) prove that a rule can fire; these numbers say how it behaves
on posts people really write, which is what an IT team needs before publishing a pack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from agent.engine.limits import MAX_TEXT_CHARS
from agent.engine.result import Category, CheckResult, Finding, PackRef, Platform, Severity
from agent.engine.rule_info import RuleInfo

# Long posts are cut for listing; the whole text stays in the corpus file.
SHORT_TEXT_CHARS = 120
CATEGORY_NAMES = ", ".join(c.value for c in Category)


class CorpusPost(BaseModel):
    """One corpus line as written by a pack author."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    text: str
    platform: Platform = Field(default=Platform.LINKEDIN, strict=False)
    expect: list[Category]
    id: str | None = Field(default=None, min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2_000)
    # The categories the post was read for, when not all: posts written to teach one
    # category (harassment and its near-misses) say nothing about the others.
    labelled_for: list[Category] | None = None

    @field_validator("text")
    @classmethod
    def _a_post(cls, text: str) -> str:
        if "\x00" in text:
            raise ValueError("contains NUL characters; expected the text of a post")
        if not text.strip():
            raise ValueError("is empty; expected the text of a post")
        if len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"is {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
        return text

    @field_validator("expect", "labelled_for", mode="before")
    @classmethod
    def _known_categories(cls, value: Any, info: ValidationInfo) -> list[Category] | None:
        # Checked by hand so a typo reads "unknown category 'finance'", not an enum dump.
        if value is None and info.field_name == "labelled_for":
            return None  # the same as leaving it out: labelled for every category
        if not isinstance(value, list):
            raise ValueError("expected a list of category names ([] for a benign post)")
        known = {c.value: c for c in Category}
        categories: list[Category] = []
        for name in value:
            if not isinstance(name, str) or name not in known:
                raise ValueError(f"unknown category {name!r}; expected one of {CATEGORY_NAMES}")
            if known[name] not in categories:
                categories.append(known[name])
        return categories

    @model_validator(mode="after")
    def _expects_what_it_was_labelled_for(self) -> CorpusPost:
        if self.labelled_for is not None:
            if not self.labelled_for:
                raise ValueError("labelled_for: expected at least one category (or leave it out)")
            outside = [c.value for c in self.expect if c not in self.labelled_for]
            if outside:
                raise ValueError(f"expect: {', '.join(outside)} is not in labelled_for")
        return self

    def reads(self, category: Category) -> bool:
        """Whether the post's labels say anything about ``category``."""
        return self.labelled_for is None or category in self.labelled_for


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PostRef(_Out):
    """Where a post came from: ``file:line`` always, its ``id`` when the corpus gives one."""

    file: str
    line: int
    id: str | None = None

    @property
    def label(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where} ({self.id})" if self.id else where


class FoundRef(_Out):
    pack: str
    rule_id: str
    category: Category
    severity: Severity
    matched: str


class Miss(_Out):
    post: PostRef
    category: Category
    text: str = Field(description=f"the post, cut to {SHORT_TEXT_CHARS} characters")
    found: list[FoundRef] = Field(description="every finding on the post, at any severity")


class FalseAlarm(_Out):
    post: PostRef
    text: str = Field(description=f"the post, cut to {SHORT_TEXT_CHARS} characters")
    findings: list[FoundRef] = Field(description="the findings at or above min_severity")


class CategoryScore(_Out):
    category: Category
    expected: int = Field(description="posts that expect this category")
    caught: int
    recall: float | None = Field(description="caught / expected; null without expected posts")
    other: int = Field(description="violation posts that raised it without expecting it")


class Overall(_Out):
    expected: int = Field(description="post-category pairs")
    caught: int
    recall: float | None


class BenignScore(_Out):
    posts: int
    false_alarms: int = Field(description="benign posts with a finding at or above min_severity")
    false_alarm_rate: float | None


class OtherCategories(_Out):
    posts: int = Field(description="violation posts with a finding of a category not expected")
    findings: int


class RuleScore(_Out):
    pack: str
    rule_id: str
    category: Category
    severity: Severity = Field(description="the rule's severity after adjustments")
    on_expected: int = Field(description="posts expecting the rule's category that it flagged")
    on_benign: int = Field(description="benign posts it flagged")
    on_other: int = Field(description="violation posts of other categories it flagged")


class Threshold(_Out):
    name: Literal["min_recall", "max_false_alarms", "max_false_alarm_rate"]
    limit: int | float
    actual: int | float | None
    met: bool


class EvalReport(_Out):
    packs: list[PackRef]
    min_severity: Severity
    posts: int
    violation_posts: int
    categories: list[CategoryScore]
    overall: Overall
    benign: BenignScore
    other_categories: OtherCategories
    rules: list[RuleScore]
    show: int = Field(description="the most misses and false alarms listed; 0 = all")
    misses: list[Miss]
    false_alarms: list[FalseAlarm]
    thresholds: list[Threshold] = Field(default_factory=list)


class _RuleCounts:
    __slots__ = ("benign", "expected", "other")

    def __init__(self) -> None:
        self.expected = self.benign = self.other = 0


class Evaluation:
    """Counts as posts are checked, so a large archive is never held in memory."""

    def __init__(
        self,
        packs: Sequence[PackRef],
        rules: Sequence[RuleInfo],
        *,
        min_severity: Severity,
        show: int,
    ) -> None:
        self._packs = list(packs)
        self._rules = list(rules)
        self._rule_counts = {(r.pack.id, r.rule_id): _RuleCounts() for r in rules}
        self._min_rank = min_severity.rank
        self._min_severity = min_severity
        self._show = show
        self._posts = 0
        self._violation_posts = 0
        self._expected = dict.fromkeys(Category, 0)
        self._caught = dict.fromkeys(Category, 0)
        self._other = dict.fromkeys(Category, 0)
        self._other_posts = 0
        self._other_findings = 0
        self._benign = 0
        self._false_alarm_count = 0
        self._misses: list[Miss] = []
        self._false_alarms: list[FalseAlarm] = []

    def add(self, ref: PostRef, post: CorpusPost, result: CheckResult) -> None:
        self._posts += 1
        counted = [
            f
            for f in result.findings
            if f.severity.rank >= self._min_rank and post.reads(f.category)
        ]
        # Rules count posts, not findings: a rule that fires twice on a post flagged it once.
        flagged = {(f.pack.id, f.rule_id): f.category for f in counted}
        for key, category in flagged.items():
            counts = self._rule_counts.get(key)
            if counts is None:
                continue  # every finding comes from the engine's own rules; kept defensive
            if not post.expect:
                counts.benign += 1
            elif category in post.expect:
                counts.expected += 1
            else:
                counts.other += 1
        if post.expect:
            self._add_violation(ref, post, result, counted)
        else:
            self._add_benign(ref, post, counted)

    def _add_violation(
        self, ref: PostRef, post: CorpusPost, result: CheckResult, counted: list[Finding]
    ) -> None:
        self._violation_posts += 1
        raised = {f.category for f in counted}
        for category in post.expect:
            self._expected[category] += 1
            if category in raised:
                self._caught[category] += 1
                continue
            if self._keep(len(self._misses)):
                found = [_found(f) for f in result.findings]
                self._misses.append(
                    Miss(post=ref, category=category, text=shorten(post.text), found=found)
                )
        unexpected = [f for f in counted if f.category not in post.expect]
        if unexpected:
            self._other_posts += 1
            self._other_findings += len(unexpected)
            for category in {f.category for f in unexpected}:
                self._other[category] += 1

    def _add_benign(self, ref: PostRef, post: CorpusPost, counted: list[Finding]) -> None:
        self._benign += 1
        if not counted:
            return
        self._false_alarm_count += 1
        if self._keep(len(self._false_alarms)):
            alarm = FalseAlarm(
                post=ref, text=shorten(post.text), findings=[_found(f) for f in counted]
            )
            self._false_alarms.append(alarm)

    def _keep(self, listed: int) -> bool:
        return self._show == 0 or listed < self._show

    def report(self) -> EvalReport:
        categories = [
            CategoryScore(
                category=c,
                expected=self._expected[c],
                caught=self._caught[c],
                recall=_ratio(self._caught[c], self._expected[c]),
                other=self._other[c],
            )
            for c in Category
        ]
        expected = sum(self._expected.values())
        caught = sum(self._caught.values())
        rules = [
            RuleScore(
                pack=r.pack.id,
                rule_id=r.rule_id,
                category=r.category,
                severity=r.severity,
                on_expected=counts.expected,
                on_benign=counts.benign,
                on_other=counts.other,
            )
            for r in self._rules
            for counts in [self._rule_counts[(r.pack.id, r.rule_id)]]
        ]
        return EvalReport(
            packs=self._packs,
            min_severity=self._min_severity,
            posts=self._posts,
            violation_posts=self._violation_posts,
            categories=categories,
            overall=Overall(expected=expected, caught=caught, recall=_ratio(caught, expected)),
            benign=BenignScore(
                posts=self._benign,
                false_alarms=self._false_alarm_count,
                false_alarm_rate=_ratio(self._false_alarm_count, self._benign),
            ),
            other_categories=OtherCategories(
                posts=self._other_posts, findings=self._other_findings
            ),
            rules=rules,
            show=self._show,
            misses=self._misses,
            false_alarms=self._false_alarms,
        )


def check_thresholds(
    report: EvalReport,
    *,
    min_recall: float | None = None,
    max_false_alarms: int | None = None,
    max_false_alarm_rate: float | None = None,
) -> list[Threshold]:
    """The limits that were given, each with the measured value and whether it held.

    A rate that cannot be measured (no violation posts, no benign posts) does not meet its
    limit: a gate that passes on an empty sample protects nothing.
    """
    out: list[Threshold] = []
    if min_recall is not None:
        recall = report.overall.recall
        met = recall is not None and recall >= min_recall
        out.append(Threshold(name="min_recall", limit=min_recall, actual=recall, met=met))
    if max_false_alarms is not None:
        count = report.benign.false_alarms
        out.append(
            Threshold(
                name="max_false_alarms",
                limit=max_false_alarms,
                actual=count,
                met=count <= max_false_alarms,
            )
        )
    if max_false_alarm_rate is not None:
        rate = report.benign.false_alarm_rate
        met = rate is not None and rate <= max_false_alarm_rate
        out.append(
            Threshold(name="max_false_alarm_rate", limit=max_false_alarm_rate, actual=rate, met=met)
        )
    return out


def shorten(text: str, limit: int = SHORT_TEXT_CHARS) -> str:
    """The post on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _found(finding: Finding) -> FoundRef:
    return FoundRef(
        pack=finding.pack.id,
        rule_id=finding.rule_id,
        category=finding.category,
        severity=finding.severity,
        matched=finding.matched,
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
