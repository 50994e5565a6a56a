"""``postguard check``: output formats, exit codes and bad input (one line, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import CORE_PACK, NOW, run_binary
from tests.engine.packfiles import rule_yaml, write_pack


def test_text_output_marks_spans_like_a_linter(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli(
        "check", "--pack", CORE_PACK, "--now", NOW, stdin="x 😀 strictly confidential\n".encode()
    )
    assert run.code == 1
    lines = run.out.splitlines()
    assert lines[0] == "1 | x 😀 strictly confidential"
    assert lines[1] == "  |     ^^^^^^^^^^^^^^^^^^^^^ [1]"
    assert "[1] -:1:5: warn confidential confidential.marker (core)" in run.out
    assert "    Internal-only material." in run.out
    assert "verdict: warn (1 warn); packs: core 1.2.3" in run.out


def test_clean_text_exits_zero(cli) -> None:  # type: ignore[no-untyped-def]
    run = cli("check", "--pack", CORE_PACK, stdin=b"Thrilled to announce my new role")
    assert run.code == 0
    assert "verdict: ok (no findings)" in run.out


def test_platform_and_now_options(cli) -> None:  # type: ignore[no-untyped-def]
    text = b"use my discount code SAVE10"
    assert cli("check", "--pack", CORE_PACK, "--platform", "x", stdin=text).code == 1
    assert cli("check", "--pack", CORE_PACK, "--platform", "linkedin", stdin=text).code == 0
    quiet = b"earnings look great"
    assert cli("check", "--pack", CORE_PACK, "--now", NOW, stdin=quiet).code == 1
    assert cli("check", "--pack", CORE_PACK, "--now", "2026-06-01", stdin=quiet).code == 0


def test_jsonl_keeps_one_output_line_per_input_line(cli) -> None:  # type: ignore[no-untyped-def]
    lines = b'{"text": "strictly confidential"}\n\n{"text": 5}\n\xff\n{"text": "fine"}\n'
    run = cli("check", "--pack", CORE_PACK, "--jsonl", stdin=lines)
    assert run.code == 2
    out = [json.loads(line) for line in run.out.splitlines()]
    assert len(out) == 5
    assert out[0]["verdict"] == "warn"
    assert [o["error"]["line"] for o in out[1:4]] == [2, 3, 4]
    assert "not valid UTF-8" in out[3]["error"]["message"]
    assert out[4]["verdict"] == "ok"


@pytest.mark.slow
def test_acceptance_password_finding_with_span() -> None:
    run = run_binary(
        "check", "--format", "json", "--pack", str(CORE_PACK),
        stdin=b"Staging password is Winter2024!\n",
    )  # fmt: skip
    assert run.code == 1, run.err
    finding = json.loads(run.out)["findings"][0]
    assert finding["category"] == "credentials"
    assert (finding["start"], finding["end"]) == (8, 31)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        (b"", "input is empty"),
        (b"  \n\t", "input is empty"),
        (b"a" * 1_000_000, "the limit is 100000 characters"),
        ("é".encode() * 100_001, "is 100001 characters; the limit is 100000"),
        (b"caf\xe9", "not valid UTF-8 (bad byte at offset 3)"),
        (b"\x7fELF\x00\x01\x02", "contains NUL bytes"),
    ],
    ids=["empty", "blank", "1MB", "too-many-chars", "bad-utf8", "binary"],
)
def test_bad_input_is_one_line_exit_2(stdin: bytes, message: str) -> None:
    run = run_binary("check", "--pack", str(CORE_PACK), stdin=stdin)
    assert run.code == 2
    assert run.out == ""
    assert run.err.count("\n") == 1 and run.err.startswith("postguard: "), run.err
    assert message in run.err
    assert "Traceback" not in run.err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "not a pack directory"),
        ("bad-regex", "rules.yaml:8: rules[0].match.regex: invalid regex"),
        ("huge", "List should have at most 200000 items"),
        ("garbage", "invalid YAML"),
    ],
)
def test_bad_pack_is_one_line_exit_2(tmp_path: Path, setup: str, message: str) -> None:
    pack = tmp_path / "test"
    if setup != "missing":
        body = {
            "bad-regex": "match: {type: pattern, regex: '(?P<'}",
            "huge": "match: {type: phrases, phrases: [" + ",".join(["w"] * 200_001) + "]}",
            "garbage": "match: [:\x01",
        }[setup]
        write_pack(tmp_path, [rule_yaml(body)])
    run = run_binary("check", "--pack", str(pack), stdin=b"hello")
    assert run.code == 2
    assert run.err.count("\n") == 1 and message in run.err, run.err


@pytest.mark.slow
def test_missing_file_and_bad_option() -> None:
    run = run_binary("check", "/nonexistent/post.txt", "--pack", str(CORE_PACK))
    assert run.code == 2 and "cannot read /nonexistent/post.txt" in run.err
    run = run_binary("check", "--platform", "facebook")
    assert run.code == 2 and "invalid choice" in run.err
