"""docs/pack-format.md stays true: every matcher and validator is documented, and its
worked example is a pack that lints and passes its own examples on top of the baseline."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from agent.engine.validators import VALIDATORS
from agent.packs.models import Match
from agent.packs.testing import run_pack_examples
from agent.paths import BUNDLED_PACKS, REPO_ROOT

DOC = (REPO_ROOT / "docs" / "pack-format.md").read_text()
MATCHER_TYPES = [
    typing.get_args(member.model_fields["type"].annotation)[0]
    for member in typing.get_args(typing.get_args(Match)[0])
]


@pytest.mark.parametrize("name", MATCHER_TYPES)
def test_every_matcher_type_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC


@pytest.mark.parametrize("name", sorted(VALIDATORS))
def test_every_validator_is_documented(name: str) -> None:
    assert f"| `{name}` |" in DOC


def test_worked_example_is_a_passing_pack(tmp_path: Path) -> None:
    worked = DOC.split("## A worked example", 1)[1]
    pack_yaml, lists_yaml, rules_yaml = re.findall(r"```yaml\n(.*?)```", worked, re.S)
    pack = tmp_path / "example-company"
    (pack / "rules").mkdir(parents=True)
    (pack / "lists").mkdir()
    (pack / "pack.yaml").write_text(pack_yaml)
    (pack / "lists" / "company.yaml").write_text(lists_yaml)
    (pack / "rules" / "company.yaml").write_text(rules_yaml)
    report = run_pack_examples([BUNDLED_PACKS[0], pack])
    assert report.ok, report.failures
    assert report.packs[1].line() == "example-company 2026.11.2: 3 rules, 7 examples, 0 failed"
