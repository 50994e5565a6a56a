"""``postguard ... | head -1``: a reader that goes away ends the command quietly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import CORE_PACK, POSTGUARD

LINE = json.dumps({"text": "Staging password is Winter2024!", "platform": "x"}) + "\n"


def _read_one_line_then_close(args: list[str]) -> tuple[int, str, str]:
    process = subprocess.Popen(
        [str(POSTGUARD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline().decode()
    process.stdout.close()  # what `head -1` does after its line
    err = process.stderr.read().decode()
    process.stderr.close()
    return process.wait(timeout=60), first, err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content", "extra"),
    [
        # far more output than a pipe buffers, so the writer must meet the closed pipe
        ("posts.jsonl", LINE * 3000, ["--jsonl"]),
        ("post.txt", "Staging password is Winter2024!\n" * 3000, []),
    ],
)
def test_check_into_a_closed_pipe_exits_quietly(
    tmp_path: Path, name: str, content: str, extra: list[str]
) -> None:
    source = tmp_path / name
    source.write_text(content)
    code, first, err = _read_one_line_then_close(
        ["check", str(source), "--pack", str(CORE_PACK), *extra]
    )
    assert first.strip()
    assert err == ""
    assert code == 141  # 128 + SIGPIPE, as a shell reports for `yes | head -1`
