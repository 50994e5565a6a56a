"""The policy engine: normalised text, compiled packs, explainable findings.

Usage::

    from datetime import UTC, datetime
    from pathlib import Path

    from agent.engine.result import Platform
    from agent.packs.compile import compile_dirs

    engine = compile_dirs([Path("policy_packs/baseline")])  # raises agent.packs.PackError
    result = engine.check("Staging password is Winter2024!", Platform.LINKEDIN, datetime.now(UTC))
    result.verdict            # Verdict.BLOCK
    result.findings[0].start  # UTF-16 code units of the text as sent

``agent.packs.compile.compile_dirs(dirs) -> Engine``
    load, validate, layer (later packs ``adjust`` earlier ones) and compile.
    A bad pack raises :class:`agent.packs.PackError` (a ``UserError``) whose
    one-line message names ``file:line``, the key and what was expected.
``agent.packs.compile.compile_engine(pack_set) -> Engine``
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

The packs depend on the engine, never the reverse: nothing under ``agent.engine``
imports ``agent.packs`` (``tests/engine/test_layering.py``), so an engine read back
from the start-up cache runs without the YAML loader or the pack models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.engine.engine import Engine
    from agent.engine.rule_info import PackInfo, RuleInfo

__all__ = ["Engine", "PackInfo", "RuleInfo"]


def __getattr__(name: str) -> Any:
    # Imported lazily, so a module that needs only the result types (the pack models,
    # the API, the event records) does not load the matchers with them.
    if name == "Engine":
        from agent.engine.engine import Engine

        return Engine
    if name in ("PackInfo", "RuleInfo"):
        from agent.engine import rule_info

        return getattr(rule_info, name)
    raise AttributeError(name)
