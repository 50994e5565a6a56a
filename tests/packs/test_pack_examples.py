"""Pack examples are part of the format: they run through the real engine, layered."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.packs.testing import run_pack_examples
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY
from tests.engine.conftest import FIXTURES
from tests.engine.packfiles import RULE_HEAD, write_pack


def test_fixture_pack_examples_pass() -> None:
    report = run_pack_examples([FIXTURES / "core"])
    assert report.ok, report.failures
    assert [s.line() for s in report.packs] == ["core 1.2.3: 7 rules, 19 examples, 0 failed"]


def test_failures_name_rule_example_expected_and_got(tmp_path: Path) -> None:
    rule = RULE_HEAD.format(id="test.secret", category="confidential", severity="warn") + (
        "    match: {type: phrases, phrases: [secret]}\n"
        "    examples:\n"
        "      match: [{text: 'top secret', matched: 'top secret'}, 'nothing here']\n"
        "      no_match: ['a secret']\n"
    )
    report = run_pack_examples([write_pack(tmp_path, [rule])])
    assert not report.ok
    got = [(f.rule_id, f.kind, f.text, f.expected, f.got) for f in report.failures]
    assert got == [
        ("test.secret", "match", "top secret", "matched 'top secret'", "matched 'secret'"),
        ("test.secret", "match", "nothing here", "a finding", "no finding"),
        ("test.secret", "no_match", "a secret", "no finding", "matched 'secret'"),
    ]
    assert report.failures[0].location.endswith("rules.yaml:2")
    assert report.packs[0].line() == "test 1.0: 1 rules, 3 examples, 3 failed"


@pytest.mark.parametrize(
    "dirs",
    [BUNDLED_PACKS, (*BUNDLED_PACKS, EXAMPLE_COMPANY)],
    ids=["baseline", "baseline+example-company"],
)
def test_bundled_pack_examples(dirs: tuple[Path, ...]) -> None:
    """Every bundled pack's own examples, and the example company's layered on them."""
    report = run_pack_examples(list(dirs))
    failures = [f"{f.location} {f.rule_id} {f.kind} {f.text!r}: {f.got}" for f in report.failures]
    assert not failures, "\n".join(failures)
    assert all(s.examples > 0 for s in report.packs)
