"""Golden tests of ``postguard check`` JSON output.

Regenerate after an intended change with:
    POSTGUARD_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/cli/test_check_golden.py
then review the diff of tests/cli/golden/.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.cli.conftest import CORE_PACK, HERE, NOW

CASES = [
    ("password", ["--format", "json"], 1),
    ("mixed", ["--format", "json", "--platform", "x"], 1),
    ("clean", ["--format", "json"], 0),
    ("archive", ["--jsonl"], 2),
]


@pytest.mark.parametrize(("name", "args", "code"), CASES, ids=[c[0] for c in CASES])
def test_golden(cli, name: str, args: list[str], code: int) -> None:  # type: ignore[no-untyped-def]
    source = next(HERE.glob(f"inputs/{name}.*"))
    run = cli("check", str(source), "--pack", str(CORE_PACK), "--now", NOW, *args)
    assert run.code == code, run.err
    if "--jsonl" in args:
        actual = [json.loads(line) for line in run.out.splitlines()]
    else:
        actual = json.loads(run.out)
    golden = HERE / "golden" / f"{name}.json"
    if os.environ.get("POSTGUARD_REGEN_GOLDEN"):
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(golden.read_text())
