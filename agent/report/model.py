"""The report as data: what every output format (table, CSV, JSON, HTML) renders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


DEFAULT_STALE_DAYS = 7
FleetFlag = Literal["old_packs", "unpaired", "not_uploading", "not_seen"]


class FleetDevice(BaseModel):
    device_id: str
    user: str | None
    last_heartbeat: datetime | None = Field(description="None: no heartbeat received")
    last_seen: datetime | None = Field(description="the latest event of any kind")
    agent_version: str | None
    extension_version: str | None = Field(description="None: the extension does not say")
    paired: bool | None
    packs_source: str | None
    packs: list[str] = Field(description="'id version' of each pack in force")
    serial: int | None
    sync_state: str | None
    pending: int | None = Field(description="events waiting on the device at its heartbeat")
    last_upload: datetime | None
    flags: list[FleetFlag]


class Fleet(BaseModel):
    stale_days: int = Field(description="not seen / not uploading after this many days")
    newest_serial: int | None = Field(description="the newest pack set serial any device runs")
    devices: list[FleetDevice] = Field(description="flagged devices first")
    skipped: int = Field(default=0, description="unreadable heartbeats, devices not shown")


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
    fleet: Fleet = Field(
        default_factory=lambda: Fleet(
            stale_days=DEFAULT_STALE_DAYS, newest_serial=None, devices=[]
        ),
        description="devices' latest heartbeats, whatever --since says",
    )
