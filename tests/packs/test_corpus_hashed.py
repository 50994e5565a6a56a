"""Example Co.'s hashed lists: they match every plain entry, and never ship it.

The plain codename and customer lists live only in ``tests/packs/data``; the
pack carries salted hashes. Each list holds one deliberate, non-secret test
entry that the pack's own examples may name.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import agent.paths
from agent.engine import Engine
from agent.engine.result import Platform
from agent.packs.compile import compile_dirs
from agent.packs.hashing import hashed_entries, parse_phrase_list

DATA = Path(__file__).parent / "data"
PACK = agent.paths.EXAMPLE_COMPANY
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# (plain list, rule id, the list's non-secret test entry)
LISTS = [
    ("example_company_codenames.txt", "confidential.codename", "Testbird"),
    ("example_company_customers.txt", "confidential.customer-name", "Canary Test Account"),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return compile_dirs([*agent.paths.BUNDLED_PACKS, PACK])


def _plain(name: str) -> list[str]:
    return parse_phrase_list((DATA / name).read_text(encoding="utf-8"))


def _rule_match(rule_id: str) -> dict[str, Any]:
    for path in sorted((PACK / "rules").glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            if rule["id"] == rule_id:
                match: dict[str, Any] = rule["match"]
                return match
    raise AssertionError(f"{rule_id} not found in {PACK}")


def _variants(phrase: str) -> list[str]:
    return [phrase, phrase.upper(), phrase.lower(), "  ".join(phrase.split())]


@pytest.mark.parametrize(("plain", "rule_id", "canary"), LISTS)
def test_every_plain_entry_is_flagged(
    engine: Engine, plain: str, rule_id: str, canary: str
) -> None:
    missed = []
    for phrase in _plain(plain):
        for variant in _variants(phrase):
            text = f"Great week working on {variant} with the team!"
            found = [
                f for f in engine.check(text, Platform.X, NOW).findings if f.rule_id == rule_id
            ]
            if not found or found[0].matched.split() != variant.split():
                missed.append(variant)
    assert not missed, f"{rule_id} missed: {missed}"


@pytest.mark.parametrize(("plain", "rule_id", "canary"), LISTS)
def test_pack_hashes_are_exactly_the_plain_list(plain: str, rule_id: str, canary: str) -> None:
    match = _rule_match(rule_id)
    assert match["type"] == "hashed_phrases"
    digests, max_words = hashed_entries(_plain(plain), match["salt"])
    assert sorted(match["hashes"]) == digests
    assert match["max_words"] >= max_words


@pytest.mark.parametrize(("plain", "rule_id", "canary"), LISTS)
def test_pack_files_never_contain_a_plain_entry(plain: str, rule_id: str, canary: str) -> None:
    secrets = [p for p in _plain(plain) if p != canary]
    assert secrets
    leaks = []
    shipped = (agent.paths.BUNDLED_PACKS_DIR, agent.paths.EXAMPLE_PACKS_DIR)
    for path in sorted(p for root in shipped for p in root.rglob("*")):
        if not path.is_file():
            continue
        content = " ".join(path.read_text(encoding="utf-8").lower().split())
        leaks += [f"{path}: {s}" for s in secrets if " ".join(s.lower().split()) in content]
    assert not leaks


def test_words_of_a_multi_word_entry_alone_do_not_match(engine: Engine) -> None:
    multi = [p for p in _plain("example_company_customers.txt") if len(p.split()) > 1]
    assert multi
    for phrase in multi:
        for word in phrase.split():
            text = f"Met someone from {word} today"
            found = engine.check(text, Platform.X, NOW).findings
            assert not [f for f in found if f.rule_id == "confidential.customer-name"], text


def test_the_pack_uses_one_salt_for_every_list() -> None:
    # One salt means one hashing pass over a post's words for all the lists.
    salts = {_rule_match(rule_id)["salt"] for _, rule_id, _ in LISTS}
    assert len(salts) == 1
