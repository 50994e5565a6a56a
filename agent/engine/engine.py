"""The compiled policy: packs in, an immutable object whose ``check`` is a pure function."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from agent.engine.matchers.base import Hit, Scan
from agent.engine.matchers.hashed import HashedIndex
from agent.engine.matchers.phrases import PhraseIndex
from agent.engine.matchers.word_index import WordIndex
from agent.engine.normalize import TextViews
from agent.engine.pack_regex import CHECK_TIME_LIMIT_S, RegexTimeout
from agent.engine.result import (
    CheckResult,
    Explanation,
    Finding,
    PackRef,
    Platform,
    Severity,
    verdict_for,
)
from agent.engine.rule_info import PackInfo, RuleInfo
from agent.engine.rules import CompiledRule
from agent.engine.text_index import TextIndex
from agent.engine.token_classes import TokenClasses

log = logging.getLogger("postguard.engine")


class Engine:
    """Compiled packs; never mutated.

    Built by :mod:`agent.packs.compile` (``compile_dirs``, ``compile_engine``) from the
    parts it compiled.  The engine imports nothing of the packs, so one read back from the
    start-up cache runs without the YAML loader or the pack models.
    """

    def __init__(
        self,
        *,
        packs: tuple[PackInfo, ...],
        rules: tuple[CompiledRule, ...],
        phrases: PhraseIndex,
        hashed: HashedIndex,
        text_index: TextIndex,
        token_classes: TokenClasses | None = None,
        words: WordIndex | None = None,
    ) -> None:
        self._packs = packs
        self._refs = tuple(p.ref for p in packs)
        self._rules = rules
        # The rules that can apply on each platform, in order: a check walks only its own,
        # each with the pre-check literal sets its matches need (most posts lack them).
        self._by_platform = {
            p: tuple((r, r.matcher.required_literals) for r in rules if p in r.info.platforms)
            for p in Platform
        }
        self._by_id = {(r.info.pack.id, r.info.rule_id): r.info for r in rules}
        self._phrases = phrases
        self._hashed = hashed
        self._text_index = text_index
        self._token_classes = token_classes or TokenClasses(())
        self._words = words or WordIndex()

    @property
    def packs(self) -> list[PackRef]:
        return list(self._refs)

    @property
    def pack_infos(self) -> list[PackInfo]:
        """Pack metadata (titles, owners, policy links) for status and policy views."""
        return list(self._packs)

    @property
    def rules(self) -> list[RuleInfo]:
        """Every enabled rule after layering, in pack then file order."""
        return [r.info for r in self._rules]

    def rule(self, pack_id: str, rule_id: str) -> RuleInfo | None:
        return self._by_id.get((pack_id, rule_id))

    def check(self, text: str, platform: Platform, now: datetime) -> CheckResult:
        """Findings for ``text`` on ``platform`` at time ``now`` (naive means UTC)."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        platform = Platform(platform)
        views = TextViews(text)
        scan = Scan(views, self._text_index, deadline=time.monotonic() + CHECK_TIME_LIMIT_S)
        self._phrases.scan(scan)
        self._words.scan(scan)
        self._hashed.scan(scan)
        self._token_classes.scan(scan)
        findings: list[Finding] = []
        modelled: list[Finding] = []  # decided by a word model: kept only where no rule spoke
        timed_out: list[str] = []
        present = scan.literals()
        for rule, needs in self._by_platform[platform]:
            if needs and not needs <= present:
                continue  # a literal every match contains is missing: no call to find
            if rule.active is not None and not rule.active.contains(now):
                continue
            try:
                hits = rule.matcher.find(scan)
            except RegexTimeout:
                timed_out.append(_ran_out(rule))
                continue
            if not hits:
                continue
            allowed = scan.hits(rule.exception_slot) if rule.exception_slot else []
            for hit in _collapse(hits):
                if any(a.start < hit.end and hit.start < a.end for a in allowed):
                    continue
                if rule.suppressors and _suppressed(rule, hit, scan):
                    continue
                (modelled if rule.reads_model else findings).append(_finding(rule, hit, views))
        findings += _not_echoing(modelled, findings)
        findings.sort(key=lambda f: (f.start, f.end, f.rule_id, f.pack.id))
        # Validated construction: pydantic's compiled validator is faster than
        # model_construct, which fills the fields in Python.
        return CheckResult(
            verdict=verdict_for(findings),
            findings=findings,
            packs=list(self._refs),
            timed_out=timed_out,
        )


def _ran_out(rule: CompiledRule) -> str:
    """Name (and log, without the text) a rule whose regex ran out of time on a check."""
    name = f"{rule.info.pack.id}/{rule.info.rule_id}"
    log.warning("rule %s ran out of time on a draft and was left out of its check", name)
    return name


def _collapse(hits: list[Hit]) -> list[Hit]:
    """One finding per overlapping group from one rule: the earliest, then longest, hit."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end, h.detail)):
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _not_echoing(modelled: list[Finding], ruled: list[Finding]) -> list[Finding]:
    """The word model's findings that no rule's finding of their category overlaps.

    The model is there for what the lists miss; where a list rule already explains the
    sentence, a second card for the same words is noise.
    """
    return [
        f
        for f in modelled
        if not any(r.category == f.category and r.start < f.end and f.start < r.end for r in ruled)
    ]


def _suppressed(rule: CompiledRule, hit: Hit, scan: Scan) -> bool:
    """Whether a suppressor's words stand near the finding ("he called me …", "not a …")."""
    words = scan.words()
    if hit.term is not None:
        hit = Hit(hit.term[0], hit.term[1], hit.detail)
    return any(s.nearest(hit, scan, words) is not None for s in rule.suppressors)


def _finding(rule: CompiledRule, hit: Hit, views: TextViews) -> Finding:
    info = rule.info
    severity, overridable = info.severity, info.overridable
    if hit.severity is not None and hit.severity.rank > severity.rank:
        # evidence raised this finding: a block is final unless the rule allows overriding
        severity = hit.severity
        if severity is Severity.BLOCK:
            overridable = rule.escalated_overridable
    return Finding(
        rule_id=info.rule_id,
        pack=info.pack,
        category=info.category,
        severity=severity,
        start=views.utf16(hit.start),
        end=views.utf16(hit.end),
        matched=views.text[hit.start : hit.end],
        message=info.message,
        policy=info.policy,
        consequence=info.consequence,
        suggestions=list(info.suggestions),
        replacements=list(info.replacements),
        overridable=overridable,
        contact=info.contact,
        explanation=Explanation(
            matcher=rule.matcher.kind,
            detail=hit.detail,
            validator=hit.validator,
            validator_result=hit.validator_result,
            context=list(hit.context),
        ),
    )
