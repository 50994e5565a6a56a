"""`pack init` writes a company pack that lints and passes its own examples as generated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent.errors import UserError
from agent.packs.loader import pack_issues
from agent.packs.testing import run_pack_examples
from agent.paths import BUNDLED_PACKS_DIR
from agent.templates.skeleton import Industry, init_pack

MATCHER_TYPES = {"phrases", "pattern", "conditional", "hashed_phrases"}


def matcher_types(pack: Path) -> set[str]:
    found = set()
    for path in (pack / "rules").glob("*.yaml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            found.add(rule["match"]["type"])
            if rule["match"].get("validator"):
                found.add("pattern+validator")
    return found


@pytest.mark.parametrize("industry", list(Industry))
@pytest.mark.parametrize("company", ["Acme Corp", "O'Brien & Sons Ltd."])
def test_the_generated_pack_passes_its_examples_alone_and_over_the_baseline(
    tmp_path: Path, industry: Industry, company: str
) -> None:
    pack = init_pack(company, industry, tmp_path / "pack").directory
    assert pack_issues([pack]) == []
    alone = run_pack_examples([pack])
    assert alone.ok, alone.failures
    layered = run_pack_examples([BUNDLED_PACKS_DIR / "baseline", pack])
    assert layered.ok, layered.failures
    assert MATCHER_TYPES | {"pattern+validator"} <= matcher_types(pack)


def test_industries_add_their_own_rules(tmp_path: Path) -> None:
    general = init_pack("Acme", Industry.GENERAL, tmp_path / "g").files
    finance = init_pack("Acme", Industry.FINANCE, tmp_path / "f").files
    assert {p.name for p in finance} - {p.name for p in general} == {"financial.yaml"}


def test_codenames_are_shipped_as_hashes_with_instructions(tmp_path: Path) -> None:
    pack = init_pack("Acme", Industry.GENERAL, tmp_path / "p").directory
    rules = yaml.safe_load((pack / "rules" / "confidential.yaml").read_text())["rules"]
    hashed = next(r for r in rules if r["match"]["type"] == "hashed_phrases")
    assert len(hashed["match"]["hashes"]) == 2
    assert "Nightjar" not in yaml.safe_dump(hashed["match"])
    readme = (pack / "README.md").read_text()
    assert f"postguard pack hash ~/private/codenames.txt --salt {hashed['match']['salt']}" in readme


@pytest.mark.parametrize(
    ("company", "message"),
    [("", "use letters"), ("Evil: Corp", "use letters"), ("#hash", "use letters")],
)
def test_unusable_company_names_are_refused(tmp_path: Path, company: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        init_pack(company, Industry.GENERAL, tmp_path / "p")


def test_an_existing_pack_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "pack.yaml").write_text("id: mine\n")
    with pytest.raises(UserError, match="not empty"):
        init_pack("Acme", Industry.GENERAL, tmp_path / "p")
    assert (tmp_path / "p" / "pack.yaml").read_text() == "id: mine\n"


@pytest.mark.slow
def test_the_cli_generates_a_pack_that_pack_test_accepts(tmp_path: Path) -> None:
    out = tmp_path / "acme"
    init = subprocess.run(
        [sys.executable, "-m", "agent", "pack", "init", "--company", "Acme",
         "--industry", "healthcare", "--out", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    test = subprocess.run(
        [sys.executable, "-m", "agent", "pack", "test", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert test.returncode == 0, test.stderr
    assert "0 failed" in test.stdout
