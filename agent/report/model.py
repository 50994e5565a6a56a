"""The report as data: what every output format (table, CSV, JSON, HTML) renders."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, computed_field


class Count(BaseModel):
    label: str
    count: int


class VersionStats(BaseModel):
    pack_id: str
    pack_version: str
    first_seen: datetime
    last_seen: datetime
    warned: int
    overrides: int
    false_positives: int


class RuleStats(BaseModel):
    rule_id: str
    pack_id: str
    category: str
    severity: str
    warned: int | None = Field(description="None when agents do not record warned checks")
    overrides: int
    false_positives: int
    other_feedback: int
    false_positive_rate: float | None
    top_reasons: list[Count]
    justifications: list[str] = Field(description="most recent first, at most a few")
    feedback_comments: list[str]
    versions: list[VersionStats]
    weekly_overrides: dict[str, int] = Field(description="ISO week (2026-W47) → overrides")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def revision_score(self) -> int:
        return self.overrides + self.false_positives


class CategoryStats(BaseModel):
    category: str
    rules: int
    warned: int | None
    overrides: int
    false_positives: int


class AckCoverage(BaseModel):
    policy_version: str | None = Field(description="the newest version acknowledged by anyone")
    acknowledged: int
    users_seen: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ratio(self) -> float | None:
        return self.acknowledged / self.users_seen if self.users_seen else None


class Totals(BaseModel):
    events: int
    overrides: int
    false_positives: int
    other_feedback: int
    acknowledgements: int
    users: int
    skipped: int = Field(description="bad events left out: unreadable, or dated out of range")


class Report(BaseModel):
    generated_at: datetime
    since: datetime | None
    first_event: datetime | None
    last_event: datetime | None
    false_positive_basis: str = Field(description="what the false-positive rate divides by")
    totals: Totals
    weeks: list[str]
    rules: list[RuleStats] = Field(description="most worth revising first")
    categories: list[CategoryStats]
    acknowledgement: AckCoverage
    worth_revising: list[str] = Field(description="rule ids, best candidates first")
