"""A compiled rule: what a check needs of a rule, and nothing of the pack loader.

The compiled engine is pickled to the start-up cache; keeping this module free
of the YAML loader and the pack models means loading that cache imports
neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agent.engine.classifier import ClassifierMatcher
from agent.engine.matchers.base import Matcher
from agent.engine.matchers.conditional import ConditionalMatcher
from agent.engine.matchers.words import Near
from agent.engine.result import Platform
from agent.engine.rule_info import RuleInfo


@dataclass(frozen=True, slots=True)
class Window:
    """When a time-bound rule applies: ``start <= now < end``; ``None`` is open."""

    start: datetime | None
    end: datetime | None

    def contains(self, now: datetime) -> bool:
        return (self.start is None or now >= self.start) and (self.end is None or now < self.end)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    info: RuleInfo
    matcher: Matcher
    exception_slot: int  # 0: no exceptions
    active: Window | None
    suppressors: tuple[Near, ...] = ()  # evidence that a finding is not meant (reported, negated)
    escalated_overridable: bool = False  # overridable when evidence raised a finding to block

    @property
    def reads_model(self) -> bool:
        """Whether a word model decides this rule's findings (alone, or as the trigger of a
        conditional): such a finding gives way to a list rule's finding on the same words."""
        matcher = self.matcher
        if isinstance(matcher, ConditionalMatcher):
            matcher = matcher.trigger
        return isinstance(matcher, ClassifierMatcher)

    def applies(self, platform: Platform, now: datetime) -> bool:
        if platform not in self.info.platforms:
            return False
        return self.active is None or self.active.contains(now)
