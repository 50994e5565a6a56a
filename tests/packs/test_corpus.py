"""The bundled baseline, with the example company layered on it, against corpora: quiet on
everyday posts, loud on real problems.

False positives teach employees to ignore warnings, so the everyday corpus must
raise nothing at ``warn`` or above, on both platforms, inside and outside the
example company's quiet period. Every violation must be flagged by the rule it
was written for, and every enabled bundled rule must have at least one
violation, so a rule that silently stops matching fails here. The example company is
layered on as a company's own pack would be; its rules have violations here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import agent.paths
from agent.engine import Engine
from agent.engine.result import Category, Finding, Platform, Severity
from agent.packs.compile import compile_dirs

DATA = Path(__file__).parent / "data"

# Outside every active window, and inside Example Co.'s Q4 quiet period.
ORDINARY_DAY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
QUIET_PERIOD_DAY = datetime(2027, 1, 12, 12, 0, tzinfo=UTC)

# Info findings never gate posting. These reminders may fire on everyday posts
# because the cost of a needless reminder is low and the rule cannot tell the
# author's own details from someone else's.
INFO_ALLOWED_ON_EVERYDAY_POSTS = frozenset(
    {
        # a personal address in a post is usually the author's own
        "personal_data.personal-email",
        # public results are shared too; the reminder asks to check they are published
        "financial.financial-metrics",
    }
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return compile_dirs([*agent.paths.BUNDLED_PACKS, agent.paths.EXAMPLE_COMPANY])


def _everyday_posts() -> list[str]:
    lines = (DATA / "everyday_posts.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


@dataclass(frozen=True)
class Violation:
    text: str
    rule: str
    category: Category
    platform: Platform
    at: datetime
    matched_contains: str | None


def _violations() -> list[Violation]:
    raw: dict[str, Any] = yaml.safe_load((DATA / "violations.yaml").read_text(encoding="utf-8"))
    out = []
    for item in raw["violations"]:
        at = item.get("at", ORDINARY_DAY)
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        out.append(
            Violation(
                text=item["text"],
                rule=item["rule"],
                category=Category(item["category"]),
                platform=Platform(item.get("platform", "linkedin")),
                at=at if at.tzinfo else at.replace(tzinfo=UTC),
                matched_contains=item.get("matched_contains"),
            )
        )
    return out


VIOLATIONS = _violations()


def _describe(text: str, findings: list[Finding]) -> str:
    parts = ", ".join(f"{f.rule_id} [{f.severity}] on {f.matched!r}" for f in findings)
    return f"{text!r}: {parts}"


def test_everyday_corpus_is_large_and_distinct() -> None:
    posts = _everyday_posts()
    assert len(posts) >= 80
    duplicates = {p for p in posts if posts.count(p) > 1}
    assert not duplicates


@pytest.mark.parametrize("platform", list(Platform))
@pytest.mark.parametrize("now", [ORDINARY_DAY, QUIET_PERIOD_DAY], ids=["ordinary", "quiet-period"])
def test_everyday_posts_raise_nothing_that_gates(
    engine: Engine, platform: Platform, now: datetime
) -> None:
    offenders = []
    for post in _everyday_posts():
        findings = engine.check(post, platform, now).findings
        loud = [
            f
            for f in findings
            if f.severity is not Severity.INFO or f.rule_id not in INFO_ALLOWED_ON_EVERYDAY_POSTS
        ]
        if loud:
            offenders.append(_describe(post, loud))
    assert not offenders, f"{len(offenders)} everyday posts flagged:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "violation", VIOLATIONS, ids=[f"{v.rule}:{v.text[:30]}" for v in VIOLATIONS]
)
def test_violation_is_flagged_by_its_rule(engine: Engine, violation: Violation) -> None:
    result = engine.check(violation.text, violation.platform, violation.at)
    mine = [f for f in result.findings if f.rule_id == violation.rule]
    assert mine, _describe(violation.text, result.findings) or f"{violation.text!r}: no findings"
    assert all(f.category is violation.category for f in mine)
    if violation.matched_contains is not None:
        assert any(violation.matched_contains in f.matched for f in mine), _describe(
            violation.text, mine
        )
    for finding in mine:
        # the span is in UTF-16 code units of the text as sent
        encoded = violation.text.encode("utf-16-le")
        assert encoded[finding.start * 2 : finding.end * 2].decode("utf-16-le") == finding.matched


def test_every_bundled_rule_has_a_violation(engine: Engine) -> None:
    covered = {v.rule for v in VIOLATIONS}
    missing = sorted(r.rule_id for r in engine.rules if r.rule_id not in covered)
    assert not missing, f"rules without a violation in violations.yaml: {missing}"


def test_violations_cover_every_category() -> None:
    assert {v.category for v in VIOLATIONS} == set(Category)


def test_time_bound_violation_is_quiet_outside_its_window(engine: Engine) -> None:
    quiet_period = [v for v in VIOLATIONS if v.rule == "financial.quiet-period"]
    assert quiet_period
    for violation in quiet_period:
        result = engine.check(violation.text, violation.platform, ORDINARY_DAY)
        assert not [f for f in result.findings if f.rule_id == violation.rule]


@pytest.mark.parametrize(
    "text",
    [
        "Staging password is Winter2024!",
        "🚀🎉 Staging password is Winter2024!",
        "Re: deploy — Staging password is Winter2024! (temporary)",
    ],
)
def test_password_value_blocks_with_a_span_over_the_value(engine: Engine, text: str) -> None:
    result = engine.check(text, Platform.LINKEDIN, ORDINARY_DAY)
    assert result.verdict == "block"
    [finding] = [f for f in result.findings if f.category is Category.CREDENTIALS]
    assert finding.rule_id == "credentials.password-value"
    assert finding.matched == "password is Winter2024!"
    utf16 = text.encode("utf-16-le")
    assert utf16[finding.start * 2 : finding.end * 2].decode("utf-16-le") == finding.matched
    assert not finding.overridable
