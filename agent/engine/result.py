"""The check result: the contract the agent API, the CLI and the extension rely on.

Spans are ``start``/``end`` offsets in UTF-16 code units of the exact text that
was checked, because that is how the browser indexes the composer's text.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Category(StrEnum):
    CONFIDENTIAL = "confidential"
    FINANCIAL = "financial"
    PERSONAL_DATA = "personal_data"
    CREDENTIALS = "credentials"
    HARASSMENT = "harassment"
    COMPANY_VOICE = "company_voice"
    DISCLOSURE = "disclosure"


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2}


class Platform(StrEnum):
    LINKEDIN = "linkedin"
    X = "x"


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    BLOCK = "block"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PackRef(_Frozen):
    id: str
    version: str


class PolicyRef(_Frozen):
    section: str
    title: str
    url: str | None = None


class Explanation(_Frozen):
    """Why a finding fired: which matcher, and what validated it."""

    matcher: str = Field(description="phrases | pattern | conditional | hashed_phrases")
    detail: str = Field(description="human-readable: what matched and how")
    validator: str | None = None
    validator_result: bool | None = None
    context: list[str] = Field(default_factory=list, description="context words that were found")


class Finding(_Frozen):
    rule_id: str
    pack: PackRef
    category: Category
    severity: Severity
    start: int = Field(ge=0, description="UTF-16 code units")
    end: int = Field(ge=0, description="UTF-16 code units, exclusive")
    matched: str
    message: str
    policy: PolicyRef
    consequence: str
    suggestions: list[str] = Field(default_factory=list)
    replacements: list[str] = Field(
        default_factory=list, description="text the extension may insert instead of the span"
    )
    overridable: bool
    contact: str | None = Field(default=None, description="who to ask when not overridable")
    explanation: Explanation


class CheckResult(_Frozen):
    verdict: Verdict
    findings: list[Finding]
    packs: list[PackRef]
    timed_out: list[str] = Field(
        default_factory=list,
        description="rules (pack/rule) whose regex ran out of time on this text and were "
        "left out of this check",
    )


def verdict_for(findings: list[Finding]) -> Verdict:
    """``block`` if any finding blocks, ``warn`` if any warns, else ``ok``."""
    top = max((f.severity.rank for f in findings), default=0)
    if top >= Severity.BLOCK.rank:
        return Verdict.BLOCK
    if top >= Severity.WARN.rank:
        return Verdict.WARN
    return Verdict.OK
