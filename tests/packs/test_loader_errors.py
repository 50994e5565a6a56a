"""A bad pack is refused with one line naming file:line, the key and what was expected."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from agent.packs import PackError, load_pack_set, pack_issues
from tests.engine.packfiles import META, RULE_HEAD, rule_yaml, write_pack

PHRASES = "match: {type: phrases, phrases: [secret]}"


def error_for(tmp_path: Path, rules: list[str], meta_extra: str = "") -> str:
    pack = write_pack(tmp_path, rules, meta_extra=meta_extra)
    with pytest.raises(PackError) as caught:
        load_pack_set([pack])
    message = caught.value.message
    assert "\n" not in message
    return message


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    pack_set = load_pack_set([write_pack(tmp_path, [rule_yaml(PHRASES)])])
    assert [r.rule.id for r in pack_set.rules] == ["test.rule"]


@pytest.mark.parametrize(
    ("body", "line", "expected"),
    [
        (
            "match: {type: phrases, phrases: [secret], wholeword: true}",
            8,
            r"rules\[0\]\.match: unknown key 'wholeword'; expected one of: type, phrases, whole_",
        ),
        (
            "match: {type: regex, regex: x}",
            8,
            r"rules\[0\]\.match: .*does not match any of the expected tags: 'phrases'",
        ),
        (
            "match: {type: pattern, regex: '(unclosed'}",
            8,
            r"rules\[0\]\.match\.regex: invalid regex: missing \), unterminated subpattern",
        ),
        (
            "match: {type: pattern, regex: '(\\w+\\s?)*x'}",
            8,
            r"rules\[0\]\.match\.regex: regex has a nested quantifier",
        ),
        ("match: {type: pattern, regex: '(a+)+$'}", 8, r"nested quantifier"),
        ("match: {type: pattern, regex: 'a*'}", 8, r"can match the empty string"),
        (
            "match: {type: pattern, regex: '\\d+', validator: crc32}",
            8,
            r"unknown validator 'crc32'; expected one of: aba_routing, au_tfn, br_cpf",
        ),
        (
            "match: {type: pattern, regex: '\\d+', min_entropy: 3}",
            8,
            r"min_entropy only applies with validator: entropy",
        ),
        ("match: {type: pattern, regex: '\\d+', group: value}", 8, r"group 'value' is not"),
        ("match: {type: phrases, phrases: []}", 8, r"rules\[0\]\.match\.phrases: List should"),
        ("match: {type: phrases, phrases: ['  ']}", 8, r"entries must not be blank"),
        (
            "match: {type: hashed_phrases, salt: 'zz', hashes: []}",
            8,
            r"rules\[0\]\.match\.salt: String should",
        ),
        (
            "match:\n  type: conditional\n  trigger: {type: phrases, phrases: [code]}\n"
            "  require: {type: phrases, phrases: ['#ad'], bogus: 1}",
            11,
            r"rules\[0\]\.match\.require: unknown key 'bogus'",
        ),
        (
            PHRASES + "\nactive: {from: 2027-01-01, until: 2026-01-01}",
            9,
            r"active\.from must be before active\.until",
        ),
        (PHRASES + "\nplatforms: [facebook]", 9, r"rules\[0\]\.platforms\[0\]: Input should be"),
    ],
)
def test_rule_errors(tmp_path: Path, body: str, line: int, expected: str) -> None:
    message = error_for(tmp_path, [rule_yaml(body)])
    path = tmp_path / "test" / "rules" / "rules.yaml"
    assert message.startswith(f"{path}:{line}: "), message
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    ("examples", "at", "expected"),
    [
        ("", "- id: test.second", r"rules\[1\]: missing required key 'examples'$"),
        (
            "examples:\n  match: []\n  no_match: [no secret here]\n",
            "match: []",
            r"rules\[1\]\.examples\.match: List should have at least 1 item",
        ),
        (
            "examples:\n  match: [a secret]\n  no_match: []\n",
            "no_match: []",
            r"rules\[1\]\.examples\.no_match: List should have at least 1 item",
        ),
        (
            "examples:\n  match: [a secret]\n",
            "examples:",
            r"rules\[1\]\.examples: missing .*no_match",
        ),
    ],
    ids=["no-examples", "empty-match", "empty-no-match", "no-no-match-key"],
)
def test_every_rule_needs_positive_and_negative_examples(
    tmp_path: Path, examples: str, at: str, expected: str
) -> None:
    """A rule that cannot show both what it catches and what it lets through is refused."""
    head = RULE_HEAD.format(id="test.second", category="confidential", severity="warn")
    second = head + textwrap.indent(PHRASES + "\n" + examples, "    ")
    message = error_for(tmp_path, [rule_yaml(PHRASES), second])
    path = tmp_path / "test" / "rules" / "rules.yaml"
    lines = [text.strip() for text in path.read_text().splitlines()]
    line = len(lines) - lines[::-1].index(at)  # the second rule's: it comes last
    assert message.startswith(f"{path}:{line}: "), message
    assert re.search(expected, message), message


def test_missing_and_mistyped_keys(tmp_path: Path) -> None:
    rule = rule_yaml(PHRASES).replace("    consequence: Test consequence.\n", "")
    rule = rule.replace("severity: warn", "severity: critical")
    message = error_for(tmp_path, [rule])
    assert ":4: rules[0].severity: Input should be 'info', 'warn' or 'block'" in message
    assert "(and 1 more problems)" in message
    issues = pack_issues([tmp_path / "test"])
    assert any("missing required key 'consequence'" in i.message for i in issues)


def test_duplicate_rule_ids_name_both_places(tmp_path: Path) -> None:
    message = error_for(tmp_path, [rule_yaml(PHRASES), rule_yaml(PHRASES)])
    assert re.search(
        r"rules\.yaml:12: duplicate rule id 'test\.rule' \(first defined at .*:2\)", message
    )


def test_huge_lists_are_refused(tmp_path: Path) -> None:
    phrases = ", ".join(f"w{i}" for i in range(200_001))
    message = error_for(tmp_path, [rule_yaml(f"match: {{type: phrases, phrases: [{phrases}]}}")])
    assert "List should have at most 200000 items" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("rules: [\n", r"rules\.yaml:2: invalid YAML"),
        ("rules:\n  - &a {id: x}\n  - *a\n", r"rules\.yaml:2: invalid YAML: anchors"),
        ("rules:\n  - *a\n", r"rules\.yaml:2: invalid YAML: aliases"),
        ("rules: []\nrules: []\n", r"rules\.yaml:2: invalid YAML: duplicate key 'rules'"),
        ("- just a list\n", r"rules\.yaml:1: expected a mapping"),
        ("", r"rules\.yaml:1: the file is empty"),
        ("rules: !!python/object:os.system {}\n", r"rules\.yaml:1: invalid YAML"),
    ],
)
def test_bad_yaml(tmp_path: Path, content: str, expected: str) -> None:
    pack = write_pack(tmp_path, [])
    (pack / "rules" / "rules.yaml").write_text(content)
    with pytest.raises(PackError) as caught:
        load_pack_set([pack])
    assert re.search(expected, caught.value.message), caught.value.message


def test_invalid_utf8_and_oversized_files(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, [])
    (pack / "rules" / "rules.yaml").write_bytes(b"rules: \xff\n")
    with pytest.raises(PackError, match=r"not valid UTF-8"):
        load_pack_set([pack])
    (pack / "rules" / "rules.yaml").write_bytes(b"#" * (9 * 1024 * 1024))
    with pytest.raises(PackError, match=r"the limit is 8388608"):
        load_pack_set([pack])


@pytest.mark.parametrize(
    ("meta_extra", "expected"),
    [
        ("adjust:\n  - {pack: nope, rule: x, disable: true}\n", r"pack 'nope'.*not loaded before"),
        (
            "adjust:\n  - {pack: base, rule: nope, disable: true}\n",
            r"pack 'base' has no rule 'nope'",
        ),
        ("adjust:\n  - {pack: base, rule: test.rule}\n", r"needs disable, severity or overridable"),
        (
            "adjust:\n  - {pack: company, rule: test.rule, disable: true}\n",
            r"cannot adjust its own",
        ),
    ],
)
def test_adjust_errors(tmp_path: Path, meta_extra: str, expected: str) -> None:
    base = write_pack(tmp_path, [rule_yaml(PHRASES)], id="base")
    layer = write_pack(tmp_path, [rule_yaml(PHRASES)], id="company", meta_extra=meta_extra)
    with pytest.raises(PackError) as caught:
        load_pack_set([base, layer])
    assert re.search(r"company/pack\.yaml:\d+: ", caught.value.message), caught.value.message
    assert re.search(expected, caught.value.message), caught.value.message


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (META.format(id="Bad_ID", version="1"), r"pack\.yaml:1: id: String should match"),
        (META.format(id="ok", version="v1"), r"pack\.yaml:2: version: String should match"),
        (
            META.format(id="ok", version="1") + "colour: red\n",
            r":8: top level: unknown key 'colour'",
        ),
    ],
)
def test_metadata_errors(tmp_path: Path, meta: str, expected: str) -> None:
    pack = write_pack(tmp_path, [rule_yaml(PHRASES)])
    (pack / "pack.yaml").write_text(meta)
    with pytest.raises(PackError) as caught:
        load_pack_set([pack])
    assert re.search(expected, caught.value.message), caught.value.message


def test_missing_directory_and_duplicate_pack_ids(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"not a pack directory"):
        load_pack_set([tmp_path / "absent"])
    one = write_pack(tmp_path / "a", [rule_yaml(PHRASES)])
    two = write_pack(tmp_path / "b", [rule_yaml(PHRASES)])
    with pytest.raises(PackError, match=r"pack id 'test' is already used"):
        load_pack_set([one, two])


def test_pack_error_is_a_user_error() -> None:
    from agent.errors import UserError

    assert issubclass(PackError, UserError)
