"""What a client says about the active packs, checked against them before anything is stored.

A pack version or a policy version in a request is a claim, not a value to record: the
agent records the versions of its own active packs, and refuses a request that names
others (the packs changed since the client's check, or the client is making them up).  An
override must also name a rule that could have fired: one that applies on that platform,
now.
"""

from __future__ import annotations

from datetime import datetime

from agent.api.errors import ApiError, ErrorCode
from agent.api.models import ClaimedPack
from agent.engine import Engine, RuleInfo
from agent.engine.result import Platform


def policy_version(engine: Engine) -> str:
    """What an acknowledgement names: every active pack at its version."""
    return "+".join(f"{ref.id}@{ref.version}" for ref in engine.packs)


def claimed_rule(engine: Engine, pack: ClaimedPack, rule_id: str) -> RuleInfo:
    """The active rule ``rule_id`` of ``pack``, at the version the client named."""
    rule = engine.rule(pack.id, rule_id)
    if rule is None:
        raise ApiError(
            ErrorCode.UNKNOWN_RULE, f"no rule {rule_id!r} in the active pack {pack.id!r}"
        )
    if pack.version != rule.pack.version:
        raise ApiError(
            ErrorCode.VERSION_MISMATCH,
            f"the active pack {rule.pack.id!r} is version {rule.pack.version}, not the one "
            "sent; check the text again",
        )
    return rule


def overridden_rule(
    engine: Engine, pack: ClaimedPack, rule_id: str, platform: Platform, now: datetime
) -> RuleInfo:
    """:func:`claimed_rule`, and one that applies on ``platform`` at ``now``."""
    rule = claimed_rule(engine, pack, rule_id)
    if platform not in rule.platforms:
        raise ApiError(ErrorCode.RULE_NOT_ACTIVE, f"rule {rule_id} does not apply on {platform}")
    if not _in_window(engine, rule, now):
        raise ApiError(
            ErrorCode.RULE_NOT_ACTIVE, f"rule {rule_id} is outside its active period now"
        )
    return rule


def check_policy_version(engine: Engine, claimed: str) -> str:
    """The active policy version, if ``claimed`` is it."""
    current = policy_version(engine)
    if claimed != current:
        raise ApiError(
            ErrorCode.VERSION_MISMATCH,
            f"the active policy version is {current}, not the one sent; "
            "fetch /v1/policy and acknowledge what it shows",
        )
    return current


def _in_window(engine: Engine, rule: RuleInfo, now: datetime) -> bool:
    # A rule's active window is not part of RuleInfo; the engine's compiled rules carry it
    # (CompiledRule.active, what Engine.check itself consults).
    key = (rule.pack.id, rule.rule_id)
    for compiled in engine._rules:
        if (compiled.info.pack.id, compiled.info.rule_id) == key:
            return compiled.active is None or compiled.active.contains(now)
    return False
