"""Named word lists across a layered set: extend, remove, references, and their errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.engine.result import Platform
from agent.packs import PackError, load_pack_set
from agent.packs.compile import compile_dirs
from tests.engine.conftest import NOW
from tests.engine.packfiles import rule_yaml, write_pack

BASE_LISTS = """\
lists:
  competitor:
    description: Rival companies.
    terms: [rival, globex]
  scam:
    description: Words that call a business a fraud.
    terms: [scam, fraud]
"""
DISPARAGE = """\
match:
  type: words
  terms: [$scam]
  near: [{terms: [$competitor], within: 4}]
"""


def pack(root: Path, name: str, lists: str | None, rules: list[str]) -> Path:
    directory = write_pack(root, rules, id=name)
    if lists is not None:
        (directory / "lists").mkdir()
        (directory / "lists" / "lists.yaml").write_text(lists)
    return directory


def error(dirs: list[Path]) -> str:
    with pytest.raises(PackError) as caught:
        load_pack_set(dirs)
    message = caught.value.message
    assert "\n" not in message
    return message


def found(dirs: list[Path], text: str) -> list[str]:
    engine = compile_dirs(dirs)
    return [f.matched for f in engine.check(text, Platform.X, NOW).findings]


def test_a_later_pack_extends_and_trims_a_list(tmp_path: Path) -> None:
    base = pack(tmp_path, "base", BASE_LISTS, [rule_yaml(DISPARAGE, id="voice.disparage")])
    company = pack(
        tmp_path,
        "company",
        "lists:\n  competitor:\n    extend: true\n    terms: [Initech]\n    remove: [rival]\n",
        [],
    )
    assert found([base], "Initech is a scam") == []
    assert found([base], "our rival is a scam") == ["rival is a scam"]
    assert found([base, company], "Initech is a scam") == ["Initech is a scam"]
    assert found([base, company], "our rival is a scam") == []
    layered = load_pack_set([base, company]).lists["competitor"]
    assert layered.pack == "base" and layered.extended_by == ("company",)


def test_a_pack_of_lists_alone_loads(tmp_path: Path) -> None:
    base = pack(tmp_path, "base", BASE_LISTS, [])
    assert set(load_pack_set([base]).lists) == {"competitor", "scam"}


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        (
            "lists:\n  a:\n    description: A.\n    terms: [x, $nope]\n",
            r"lists\.yaml:2: lists\.a: unknown list \$nope",
        ),
        (
            "lists:\n  a:\n    description: A.\n    terms: [$b]\n"
            "  b:\n    description: B.\n    terms: [$a]\n",
            r"lists include each other in a circle: \$a → \$b → \$a",
        ),
        ("lists:\n  a:\n    terms: [x]\n", r"a list needs a description"),
        (
            "lists:\n  a:\n    description: A.\n    terms: [x]\n    remove: [y]\n",
            r"remove only applies with extend: true",
        ),
        ("lists:\n  a:\n    description: A.\n    terms: ['fu*']\n", r"a prefix needs at least 3"),
        ("lists:\n  a:\n    description: A.\n    terms: ['<phone>']\n", r"unknown token class"),
        ("lists:\n  Bad-Name:\n    description: A.\n    terms: [x]\n", r"lists"),
        ("lists: {}\n", r"needs `lists:` or `suppressors:`"),
        (
            "lists:\n  a:\n    description: A.\n    terms: [polish, $b]\n"
            "  b:\n    description: B.\n    terms: ['=$a devs']\n",
            r"lists include each other in a circle: \$a → \$b → \$a",
        ),
        (
            "lists:\n  a:\n    description: A.\n    terms: ['fuck*']\n"
            "  b:\n    description: B.\n    terms: ['$a off']\n",
            r"lists\.yaml:5: lists\.b: \$a is used inside a phrase, so it may hold only words"
            r" and phrases, not 'fuck\*'",
        ),
    ],
)
def test_list_errors_name_the_file_and_line(tmp_path: Path, lists: str, expected: str) -> None:
    assert re.search(expected, error([pack(tmp_path, "base", lists, [])]))


def test_redefining_or_extending_nothing_is_an_error(tmp_path: Path) -> None:
    base = pack(tmp_path, "base", BASE_LISTS, [])
    again = pack(tmp_path, "again", "lists:\n  scam:\n    description: S.\n    terms: [x]\n", [])
    assert "pack 'base' already defines this list; write `extend: true`" in error([base, again])
    orphan = pack(tmp_path, "orphan", "lists:\n  nothing:\n    extend: true\n    terms: [x]\n", [])
    assert "no pack loaded before defines a list 'nothing'" in error([base, orphan])


def test_rules_must_name_lists_and_suppressors_that_exist(tmp_path: Path) -> None:
    unknown_list = rule_yaml("match: {type: words, terms: [$nothing]}", id="voice.a")
    message = error([pack(tmp_path / "1", "base", BASE_LISTS, [unknown_list])])
    assert "rule voice.a: unknown list $nothing" in message
    unknown_sup = rule_yaml(DISPARAGE + "suppress: [quoted]", id="voice.b")
    message = error([pack(tmp_path / "2", "base", BASE_LISTS, [unknown_sup])])
    assert "rule voice.b: suppress: unknown suppressor 'quoted'" in message


GROUPS = """\
lists:
  origin:
    description: Origins.
    terms: [polish, =older]
  people_noun:
    description: Nouns for people.
    terms: [=devs, =workers]
  group_people:
    description: People named by an origin.
    terms: ['=$origin $people_noun']
"""
STEREOTYPE = """\
match:
  type: words
  terms: [$group_people]
  near: [{terms: [are all lazy], within: 2}]
"""


def test_a_phrase_with_lists_inside_matches_every_combination(tmp_path: Path) -> None:
    base = pack(tmp_path, "base", GROUPS, [rule_yaml(STEREOTYPE, id="harassment.group")])
    assert found([base], "older workers are all lazy") == ["older workers are all lazy"]
    assert found([base], "Polish devs are all lazy") == ["Polish devs are all lazy"]
    # exact: no word forms of the parts ("olders"), and nothing between them
    assert found([base], "olders workers are all lazy") == []
    assert found([base], "polish senior devs are all lazy") == []
    company = pack(
        tmp_path,
        "company",
        "lists:\n  people_noun:\n    extend: true\n    terms: [=drivers]\n",
        [],
    )
    # a later pack's words join every phrase the list is part of
    assert found([base], "older drivers are all lazy") == []
    assert found([base, company], "older drivers are all lazy") == ["older drivers are all lazy"]


def test_a_phrase_with_lists_inside_is_bounded(tmp_path: Path) -> None:
    words = ", ".join(f"w{i}" for i in range(200))
    lists = (
        f"lists:\n  a:\n    description: A.\n    terms: [{words}]\n"
        "  b:\n    description: B.\n    terms: ['$a $a']\n"
    )
    assert "stands for more than 20,000 phrases" in error([pack(tmp_path, "base", lists, [])])
    rule = rule_yaml("match: {type: words, terms: ['$nothing here']}", id="voice.c")
    message = error([pack(tmp_path / "2", "base", BASE_LISTS, [rule])])
    assert "rule voice.c: unknown list $nothing" in message
