"""``postguard pack hash`` output round-trips through the engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.engine.result import Platform
from agent.packs import PackError
from agent.packs.compile import compile_dirs
from agent.packs.hashing import hashed_entries, new_salt, parse_phrase_list, render_yaml
from tests.engine.conftest import NOW
from tests.engine.packfiles import RULE_HEAD, write_pack


def test_generated_yaml_is_a_working_rule(tmp_path: Path) -> None:
    salt = new_salt()
    phrases = parse_phrase_list("# codenames\nProject Falcon\n\n  Globex Corporation \n")
    assert phrases == ["Project Falcon", "Globex Corporation"]
    digests, max_words = hashed_entries(phrases, salt)
    block = render_yaml(digests, salt, max_words)
    assert "falcon" not in block.lower() and "globex" not in block.lower()
    rule = (
        RULE_HEAD.format(id="confidential.codename", category="confidential", severity="block")
        + "".join(f"    {line}\n" for line in block.splitlines() if not line.startswith("#"))
        + '    examples: {match: ["Project Falcon"], no_match: ["falcon"]}\n'
    )
    engine = compile_dirs([write_pack(tmp_path, [rule])])
    result = engine.check("Lunch with globex  corporation about project falcon", Platform.X, NOW)
    assert [f.matched for f in result.findings] == ["globex  corporation", "project falcon"]


def test_digests_are_sorted_and_unique() -> None:
    digests, max_words = hashed_entries(["b", "a", "A"], "00" * 16)
    assert digests == sorted(digests) and len(digests) == 2
    assert max_words == 1


@pytest.mark.parametrize(
    ("phrases", "salt", "message"),
    [
        (["x"], "abc", "at least 16 hex digits"),
        (["x"], "zz" * 8, "hexadecimal"),
        ([], "00" * 16, "no phrases"),
        (["!!!"], "00" * 16, "no words"),
        (["one two three four five six seven eight nine"], "00" * 16, "9 words; the limit is 8"),
    ],
)
def test_bad_input(phrases: list[str], salt: str, message: str) -> None:
    with pytest.raises(PackError, match=message):
        hashed_entries(phrases, salt)
