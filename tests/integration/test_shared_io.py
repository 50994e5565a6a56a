"""The helpers sync, upload and secrets share: Retry-After and owner-only atomic writes."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from agent.fsutil import WORLD_READABLE, write_atomic
from agent.httputil import retry_after_s

NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Sat, 21 Nov 2026 12:01:30 GMT", 90.0),
        ("Sat, 21 Nov 2026 12:01:30 -0000", 90.0),  # parses without a zone: read as GMT
        ("Sat, 21 Nov 2026 11:00:00 GMT", 0.0),  # in the past: no wait, never negative
    ],
)
def test_retry_after_in_seconds_or_as_a_date(header: str, seconds: float) -> None:
    assert retry_after_s(header, now=NOW) == pytest.approx(seconds)


@pytest.mark.parametrize("header", [None, "", "soon", "-5", "1.5", "Someday, 99 Foo"])
def test_retry_after_that_cannot_be_read_is_none(header: str | None) -> None:
    assert retry_after_s(header, now=NOW) is None


def test_retry_after_date_is_measured_from_the_clock() -> None:
    in_a_minute = datetime.fromtimestamp(datetime.now(UTC).timestamp() + 60, UTC)
    waited = retry_after_s(format_datetime(in_a_minute, usegmt=True))
    assert waited is not None and 55 < waited <= 60


def test_write_atomic_replaces_whole_and_owner_only(tmp_path: Path) -> None:
    target = tmp_path / "new" / "dir" / "state.json"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) & 0o077 == 0
    assert os.listdir(target.parent) == ["state.json"]


def test_a_failed_write_leaves_what_was_there_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.mkdir()  # the rename onto a non-empty directory fails, after the data was written
    (target / "keep").write_bytes(b"old")
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert (target / "keep").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["state.json"]


def test_a_file_meant_to_be_served_is_world_readable_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o077)
    try:
        write_atomic(tmp_path / "index.json", b"{}", mode=WORLD_READABLE)
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "index.json").stat().st_mode) == 0o644
