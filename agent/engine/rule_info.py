"""Frozen views of packs and rules after layering, for callers outside the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from agent.engine.result import Category, PackRef, Platform, PolicyRef, Severity


@dataclass(frozen=True, slots=True)
class PackInfo:
    ref: PackRef
    title: str
    owner: str
    contact: str
    policy_title: str
    policy_url: str | None
    effective: date
    description: str | None = None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule as it applies (severity and overridable after ``adjust``)."""

    pack: PackRef
    rule_id: str
    category: Category
    severity: Severity
    overridable: bool
    message: str
    policy: PolicyRef
    consequence: str
    contact: str
    suggestions: tuple[str, ...]
    replacements: tuple[str, ...]
    platforms: frozenset[Platform]
