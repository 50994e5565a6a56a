"""Policy packs: the YAML format, loading with file:line errors, layering, lint and tests.

    from agent.packs import load_pack_set, PackError
    dirs = [Path("policy_packs/baseline"), Path("examples/packs/example-company")]
    pack_set = load_pack_set(dirs)

``PackError`` (a ``UserError``) names the file, line and key of the first problem;
``pack_issues(dirs)`` lists every problem (``postguard pack lint``).
"""

from agent.packs.errors import PackError
from agent.packs.loader import (
    EffectiveRule,
    Pack,
    PackSet,
    SourcedRule,
    load_pack,
    load_pack_set,
    pack_issues,
)

__all__ = [
    "EffectiveRule",
    "Pack",
    "PackError",
    "PackSet",
    "SourcedRule",
    "load_pack",
    "load_pack_set",
    "pack_issues",
]
