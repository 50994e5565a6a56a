"""Publish hashed rules without the plain text of their examples.

A ``hashed_phrases`` rule ships digests so that the pack does not show its names,
but each of its ``match`` examples has to contain one of them, and a
``no_match`` example is often a near miss that gives one away.  ``pack build``
runs every example against the source first; the archive then carries, in each
rule file that holds a hashed rule, that rule's examples replaced by one
placeholder each (:data:`~agent.packs.hashing.WITHHELD_EXAMPLE`).  Such a file is
written out again from its parsed data, so its comments (which may name the
test entries) are not published either; every other file goes out byte for byte.

This works on the raw YAML, not the validated model, so a pack that does not
load is published as it is (agents refuse it) rather than failing here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.packs.errors import PackError
from agent.packs.hashing import WITHHELD_EXAMPLE
from agent.packs.yaml_source import LineDict, dump_yaml, load_yaml, parse_yaml
from agent.publish.archive import ArchiveError, pack_files

HEADER = (
    "# Published by postguard pack build: the examples of hashed rules are withheld\n"
    "# (they were run when the pack was built); comments are not published.\n"
)


def withheld_examples(pack_dir: Path) -> dict[str, bytes]:
    """Archive name → published bytes, for each rule file that holds a hashed rule."""
    published: dict[str, bytes] = {}
    for name, path in pack_files(pack_dir):
        parts = name.split("/")
        if len(parts) != 2 or parts[0] != "rules" or not parts[1].endswith((".yaml", ".yml")):
            continue
        text = _published_text(path)
        if text is not None:
            published[name] = text.encode("utf-8")
    return published


def _published_text(path: Path) -> str | None:
    try:
        data = load_yaml(path)
    except PackError:
        return None  # does not load anywhere; the agent's own check refuses it
    rules = data.get("rules") if isinstance(data, LineDict) else None
    if not isinstance(rules, list):
        return None
    hashed = [r for r in rules if isinstance(r, dict) and is_hashed_match(r.get("match"))]
    if not hashed:
        return None
    for rule in hashed:
        rule["examples"] = {"match": [WITHHELD_EXAMPLE], "no_match": [WITHHELD_EXAMPLE]}
    text = HEADER + dump_yaml(data)
    # What agents will read must be exactly the source minus those examples.
    if parse_yaml(text) != data:
        raise ArchiveError(f"{path}: cannot be published without its hashed examples")
    return text


def is_hashed_match(match: Any) -> bool:
    """Whether a rule's raw ``match`` block is, or holds, a ``hashed_phrases`` matcher."""
    if not isinstance(match, dict):
        return False
    kind = match.get("type")
    if kind == "hashed_phrases":
        return True
    if kind == "conditional":
        return is_hashed_match(match.get("trigger")) or is_hashed_match(match.get("require"))
    return False
