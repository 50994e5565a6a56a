"""Write small packs for tests: the metadata boilerplate once, the rule under test inline."""

from __future__ import annotations

import textwrap
from pathlib import Path

RULE_HEAD = """\
  - id: {id}
    category: {category}
    severity: {severity}
    message: Test message.
    policy: {{section: "1 Test"}}
    consequence: Test consequence.
"""
EXAMPLES = """\
    examples:
      match: ["placeholder"]
      no_match: ["placeholder"]
"""

META = """\
id: {id}
version: "{version}"
title: Test pack
owner: Tests
contact: it@example.com
policy: {{title: Test Policy, url: "https://intranet.example.com/p"}}
effective: 2026-01-01
"""


def rule_yaml(
    body: str, *, id: str = "test.rule", category: str = "confidential", severity: str = "warn"
) -> str:
    """One rule: the common head, then ``body`` (match, exceptions, ...) indented as a rule."""
    head = RULE_HEAD.format(id=id, category=category, severity=severity)
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n" + EXAMPLES


def write_pack(
    root: Path, rules: list[str], *, id: str = "test", version: str = "1.0", meta_extra: str = ""
) -> Path:
    directory = root / id
    (directory / "rules").mkdir(parents=True)
    (directory / "pack.yaml").write_text(META.format(id=id, version=version) + meta_extra)
    if rules:
        (directory / "rules" / "rules.yaml").write_text("rules:\n" + "".join(rules))
    return directory
