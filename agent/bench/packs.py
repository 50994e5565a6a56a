"""Generated policy packs in the documented pack format (docs/pack-format.md).

YAML is written line by line with JSON-quoted scalars (valid YAML double-quoted
strings) because dumping 100,000 entries through PyYAML takes longer than the
rest of the benchmark.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from agent.bench.corpus import planted_sentence
from agent.engine.matchers.hashed import phrase_entry

PACK_VERSION = "1.0.0"


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _pack_yaml(pack_id: str, title: str) -> str:
    return "\n".join(
        [
            f"id: {pack_id}",
            f'version: "{PACK_VERSION}"',
            f"title: {_q(title)}",
            "owner: Performance suite",
            'contact: "compliance@example.com"',
            "policy:",
            "  title: Generated benchmark policy",
            "  url: https://intranet.example.com/policies/benchmark",
            "effective: 2026-01-01",
            "",
        ]
    )


def _rule_head(rule_id: str, category: str, section: str, example: str) -> list[str]:
    """The rule's metadata and its examples; ``example`` is a post the rule flags."""
    return [
        f"  - id: {rule_id}",
        f"    category: {category}",
        "    severity: warn",
        f"    message: {_q('A generated ' + category + ' term; benchmark rule.')}",
        "    policy:",
        f"      section: {_q(section)}",
        f"    consequence: {_q('None: this pack exists to measure the engine.')}",
        "    examples:",
        "      match:",
        f"        - {_q(example)}",
        "      no_match:",
        f"        - {_q('An ordinary post about our team.')}",
    ]


def _list_lines(key: str, items: Iterable[str]) -> list[str]:
    return [f"      {key}:", *(f"        - {_q(item)}" for item in items)]


def write_phrase_pack(
    root: Path,
    pack_id: str,
    phrases: list[str],
    hashed: list[str] | None = None,
) -> Path:
    """Write a pack with one ``phrases`` rule (and a ``hashed_phrases`` rule) under ``root``."""
    pack_dir = root / pack_id
    rules_dir = pack_dir / "rules"
    rules_dir.mkdir(parents=True, exist_ok=True)
    (pack_dir / "pack.yaml").write_text(
        _pack_yaml(pack_id, f"{len(phrases):,} generated phrases"), encoding="utf-8"
    )
    lines = ["rules:"]
    lines += _rule_head(
        "confidential.generated-terms", "confidential", "1.1", planted_sentence(phrases[0])
    )
    lines += ["    match:", "      type: phrases"]
    lines += _list_lines("phrases", phrases)
    if hashed:
        salt = hashlib.sha256(pack_id.encode()).hexdigest()[:32]  # stable inputs, run to run
        lines += _rule_head(
            "confidential.generated-hashed", "confidential", "1.2", planted_sentence(hashed[0])
        )
        # Generated phrases have at most three words; a tight max_words is what
        # `postguard pack hash` users are told to set, and it bounds the n-grams hashed.
        lines += ["    match:", "      type: hashed_phrases", f'      salt: "{salt}"']
        lines += ["      max_words: 3"]
        salt_bytes = bytes.fromhex(salt)
        lines += _list_lines("hashes", (phrase_entry(salt_bytes, item) for item in hashed))
    (rules_dir / "generated.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pack_dir
