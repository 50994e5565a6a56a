"""Request and response bodies of API v1: strict (unknown fields are a 422), bounded.

Every string a request carries has a length bound.  Being a constraint, a bound also has
pydantic refuse a lone surrogate (which Python's json reads from a ``\ud800`` escape), so
no request string reaches the audit log that UTF-8 cannot encode.

Only the models of the start and check path (health, check) are built when the agent
starts; every other one builds its validator on first use (pydantic's ``defer_build``), a
one-time cost of about a millisecond that keeps it off every start.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from agent.api.body import max_body_bytes
from agent.engine.result import CheckResult, PackRef, Platform
from agent.events.records import FeedbackKind

# Upper bounds that hold whatever the settings say; the settings tighten them per request.
_MAX_TEXT: int = 200_000
_MAX_NOTE: int = 10_000
_MAX_ID: int = 200


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# The models every check (and the readiness probe) uses: built now, never on a request.
_BUILT_AT_START = ConfigDict(extra="forbid", frozen=True, defer_build=False)


class Empty(_Request):
    pass


class PairRequest(_Request):
    code: str = Field(min_length=1, max_length=32)


class PairResponse(_Response):
    token: str


class ChallengeRequest(_Request):
    nonce: str = Field(min_length=16, max_length=256, pattern=r"^[A-Za-z0-9_-]+={0,2}$")


class ChallengeResponse(_Response):
    proof: str


class CheckRequest(_Request):
    model_config = _BUILT_AT_START

    # A text has no more characters than its body has bytes, so this bound never answers
    # before the body cap does: a text over ``max_text_chars`` gets the handler's
    # ``text_too_long``, however long.
    text: str = Field(max_length=max_body_bytes(_MAX_TEXT))
    platform: Platform
    url: str | None = Field(default=None, max_length=2048)


class CheckResponse(CheckResult):
    elapsed_ms: float


class ClaimedPack(_Request):
    """A pack as the client names it: checked against the active packs, never stored as sent."""

    id: str = Field(min_length=1, max_length=_MAX_ID)
    version: str = Field(min_length=1, max_length=_MAX_ID)


class OverriddenFinding(_Request):
    """A finding as the extension received it from /v1/check (the fields it must send back)."""

    rule_id: str = Field(min_length=1, max_length=_MAX_ID)
    pack: ClaimedPack
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    matched: str = Field(min_length=1, max_length=_MAX_TEXT)

    @model_validator(mode="after")
    def _ordered(self) -> OverriddenFinding:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class OverrideRequest(_Request):
    findings: list[OverriddenFinding] = Field(min_length=1, max_length=100)
    platform: Platform
    reason: str = Field(max_length=200)
    justification: str = Field(max_length=_MAX_NOTE)


class OverrideResponse(_Response):
    override_id: str


class FeedbackRequest(_Request):
    rule_id: str = Field(min_length=1, max_length=_MAX_ID)
    pack: ClaimedPack | None = None
    kind: FeedbackKind
    comment: str | None = Field(default=None, max_length=_MAX_NOTE)


class FeedbackResponse(_Response):
    feedback_id: str


class AcknowledgeRequest(_Request):
    # Every active pack at its version: room for many packs, refused unless it is exactly
    # what /v1/policy answers.
    policy_version: str = Field(min_length=1, max_length=4_000)


class AcknowledgeResponse(_Response):
    acknowledged_at: datetime


class PolicyPack(_Response):
    id: str
    version: str
    title: str | None = None
    policy_title: str | None = None
    policy_url: str | None = None
    contact: str | None = None
    sections: list[str] = Field(default_factory=list)


class PolicyResponse(_Response):
    packs: list[PolicyPack]
    policy_version: str = Field(description="what /v1/acknowledge expects")
    override_reasons: list[str]
    justification_min: int
    justification_max: int
    max_text_chars: int


class Acknowledgement(_Response):
    policy_version: str
    at: datetime


class StatusResponse(_Response):
    agent_version: str
    packs: list[PackRef]
    packs_source: str
    packs_activated_at: datetime
    pack_error: str | None
    acknowledgement: Acknowledgement | None
    policy_acknowledged: bool
    pending_uploads: int
    secrets: str
    sections: dict[str, JsonValue] = Field(
        description="one entry per plugged-in status section (sync, upload, ...)"
    )


class HealthResponse(_Response):
    model_config = _BUILT_AT_START

    status: str = "ok"
