"""The policy engine: normalised text, compiled packs, explainable findings.

Usage::

    from datetime import UTC, datetime
    from pathlib import Path

    from agent.engine import Engine
    from agent.engine.result import Platform

    engine = Engine.from_dirs([Path("policy_packs/baseline")])  # raises agent.packs.PackError
    result = engine.check("Staging password is Winter2024!", Platform.LINKEDIN, datetime.now(UTC))
    result.verdict            # Verdict.BLOCK
    result.findings[0].start  # UTF-16 code units of the text as sent

``Engine.from_dirs(dirs)``
    load, validate, layer (later packs ``adjust`` earlier ones) and compile.
    A bad pack raises :class:`agent.packs.PackError` (a ``UserError``) whose
    one-line message names ``file:line``, the key and what was expected.
``Engine.compile(pack_set)``
    the same from an already loaded ``agent.packs.load_pack_set(dirs)``.
``engine.check(text, platform, now) -> CheckResult``
    thread-safe; the engine is immutable after compiling.  Findings are sorted
    by ``(start, end, rule_id)``, overlapping hits of one rule are collapsed,
    each carries an ``explanation``.  ``now`` decides time-bound rules (naive
    means UTC).  Any text length is accepted; callers cap it.
``engine.packs -> list[PackRef]``, ``engine.pack_infos -> list[PackInfo]``
``engine.rules -> list[RuleInfo]``, ``engine.rule(pack_id, rule_id) -> RuleInfo | None``
    a rule as it applies after adjustments (severity, overridable, message,
    policy, consequence, contact, suggestions, replacements, platforms).

All compiling happens at load: one Aho–Corasick automaton per normalisation
flavour holds every phrase of every rule, regexes are compiled, hashed lists
become sets.  ``check`` builds the text's normalised views once and only loops
over matches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.engine.engine import Engine
    from agent.engine.rule_info import PackInfo, RuleInfo

__all__ = ["Engine", "PackInfo", "RuleInfo"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `agent.engine.result` stays importable from the pack models.
    if name == "Engine":
        from agent.engine.engine import Engine

        return Engine
    if name in ("PackInfo", "RuleInfo"):
        from agent.engine import rule_info

        return getattr(rule_info, name)
    raise AttributeError(name)
