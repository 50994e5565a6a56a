"""An ``info`` finding is advice: it is reported, and it never gates posting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from agent.engine import Engine
from agent.engine.result import Severity, Verdict
from agent.packs.compile import compile_dirs
from tests.engine.conftest import FIXTURES, check

PACKS = [FIXTURES / "core", FIXTURES / "info"]
ADVICE_ONLY = "Glad to speak on behalf of the company at the summit"
ADVICE_AND_WARNING = ADVICE_ONLY + ", slides are strictly confidential"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return compile_dirs(PACKS)


def test_an_info_finding_alone_leaves_the_verdict_ok(engine: Engine) -> None:
    result = check(engine, ADVICE_ONLY)
    assert [(f.rule_id, f.severity) for f in result.findings] == [
        ("company_voice.on-behalf", Severity.INFO)
    ]
    assert result.verdict is Verdict.OK
    beside_a_warning = check(engine, ADVICE_AND_WARNING)
    assert {f.severity for f in beside_a_warning.findings} == {Severity.INFO, Severity.WARN}
    assert beside_a_warning.verdict is Verdict.WARN


def _pack_args() -> list[str]:
    return [arg for pack in PACKS for arg in ("--pack", str(pack))]


def test_postguard_check_exits_0_on_an_info_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(ADVICE_ONLY, encoding="utf-8")
    assert main(["check", *_pack_args(), "--format", "json", str(draft)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["verdict"] == "ok"
    assert [f["severity"] for f in shown["findings"]] == ["info"]
    assert main(["check", *_pack_args(), str(draft)]) == 0
    draft.write_text(ADVICE_AND_WARNING, encoding="utf-8")
    assert main(["check", *_pack_args(), str(draft)]) == 1


def test_postguard_check_jsonl_agrees(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drafts = tmp_path / "drafts.jsonl"
    lines = [{"text": ADVICE_ONLY, "platform": "linkedin"}, {"text": ADVICE_ONLY, "platform": "x"}]
    drafts.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["check", *_pack_args(), "--jsonl", str(drafts)]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["verdict"] for r in results] == ["ok", "ok"]
    assert [[f["rule_id"] for f in r["findings"]] for r in results] == [
        ["company_voice.on-behalf"],
        ["company_voice.on-behalf"],
    ]
