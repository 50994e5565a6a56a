"""``postguard pack lint|test|hash``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import CORE_PACK, run_binary
from tests.engine.packfiles import rule_yaml, write_pack


def test_lint_ok(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("pack", "lint", CORE_PACK)
    assert run.code == 0
    assert run.out == "core 1.2.3: ok, 7 rules\n"


def test_lint_lists_every_problem_with_file_and_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = rule_yaml("match: {type: pattern, regex: '(a+)+', validator: nope}", id="x.one")
    dup = rule_yaml("match: {type: phrases, phrases: [a]}", id="x.two")
    pack = write_pack(tmp_path, [bad, dup, dup])
    run = cli("pack", "lint", pack)
    assert run.code == 2
    errors = run.err.splitlines()
    assert any(
        "rules.yaml:8: rules[0].match.regex: regex has a nested quantifier" in e for e in errors
    )
    assert any(
        "rules.yaml:8: rules[0].match.validator: unknown validator 'nope'" in e for e in errors
    )
    assert errors[-1] == "postguard: 2 problem(s) found"


def test_test_prints_summary_and_failures(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("pack", "test", CORE_PACK).out == "core 1.2.3: 7 rules, 19 examples, 0 failed\n"
    rule = rule_yaml("match: {type: phrases, phrases: [placeholder]}")
    rule = rule.replace('no_match: ["placeholder"]', 'no_match: ["a placeholder"]')
    run = cli("pack", "test", write_pack(tmp_path, [rule]))
    assert run.code == 1
    assert run.out == "test 1.0: 1 rules, 2 examples, 1 failed\n"
    assert "test/test.rule no_match example 'a placeholder': expected no finding" in run.err


def test_hash_with_given_salt_is_reproducible(cli) -> None:  # type: ignore[no-untyped-def]
    salt = "ab" * 16
    first = cli("pack", "hash", "--salt", salt, stdin=b"Project Falcon\nGlobex\n")
    again = cli("pack", "hash", "--salt", salt, stdin=b"Globex\nproject  falcon\n")
    assert first.code == 0 and first.out == again.out
    block = yaml.safe_load(first.out)["match"]
    assert block["salt"] == salt and block["max_words"] == 2 and len(block["hashes"]) == 2
    assert first.err == ""


def test_hash_writes_check_values_unless_told_not_to(cli) -> None:  # type: ignore[no-untyped-def]
    salt = "ab" * 16
    checked = yaml.safe_load(cli("pack", "hash", "--salt", salt, stdin=b"Falcon\n").out)
    bare = cli("pack", "hash", "--salt", salt, "--no-check-values", stdin=b"Falcon\n")
    [entry] = checked["match"]["hashes"]
    assert re.fullmatch(r"[0-9a-f]{64}:[0-9a-f]{5}", entry)
    assert yaml.safe_load(bare.out)["match"]["hashes"] == [entry.split(":")[0]]


def test_hash_generates_a_salt(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("pack", "hash", stdin=b"Falcon\n")
    salt = yaml.safe_load(run.out)["match"]["salt"]
    assert len(salt) == 32 and salt in run.err


@pytest.mark.slow
def test_pack_errors_through_the_binary(tmp_path: Path) -> None:
    run = run_binary("pack", "test", str(tmp_path / "nope"))
    assert run.code == 2 and "not a pack directory" in run.err
    run = run_binary("pack", "hash", "--salt", "xyz", str(CORE_PACK / "pack.yaml"))
    assert run.code == 2 and "salt must be" in run.err
