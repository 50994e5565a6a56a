"""Each device's chain is checked as it arrives: gaps, forks, broken links and conflicts flagged."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import Device, enrol, post, wrap

from agent.cli import main
from agent.collector.integrity import Flag
from agent.collector.store import CollectorStore


def flags_of(db_path: Path, device: Device) -> list[Flag]:
    store = CollectorStore(db_path)
    try:
        return store.flags(device.device_id)
    finally:
        store.close()


def stored_seqs(db_path: Path, device: Device) -> list[int]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT seq FROM events WHERE device_id = ? ORDER BY seq", (device.device_id,)
        )
        return [int(row[0]) for row in rows]


@pytest.fixture
async def device(collector: TestClient[Any, Any]) -> Device:
    enrolled = Device()
    assert (await enrol(collector, enrolled)).status == 200
    return enrolled


async def test_a_clean_chain_raises_no_flag(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    for _ in range(3):
        batch = [device.envelope("override"), device.envelope("feedback")]
        assert (await post(collector, device, *batch)).status == 200
    assert stored_seqs(db_path, device) == [1, 2, 3, 4, 5, 6]
    assert flags_of(db_path, device) == []


async def test_a_gap_is_flagged_and_resolved_when_the_missing_event_arrives(
    collector: TestClient[Any, Any],
    db_path: Path,
    device: Device,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second, held_back, fourth, fifth = (device.envelope() for _ in range(5))
    assert (await post(collector, device, first, second, fourth, fifth)).status == 200
    (gap,) = flags_of(db_path, device)
    assert (gap.kind.value, gap.seq, gap.last_seq, gap.resolved_at) == ("gap", 3, 3, None)
    assert gap.detail == "seq 3 had not arrived when seq 4 did"
    assert main(["collector", "integrity", "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert device.device_id in out and "gap" in out and "(open)" in out
    assert "1 flags, 1 open" in out

    assert (await post(collector, device, held_back)).status == 200
    (gap,) = flags_of(db_path, device)
    assert gap.resolved_at is not None
    assert stored_seqs(db_path, device) == [1, 2, 3, 4, 5]
    assert main(["collector", "integrity", "--db", str(db_path)]) == 0
    assert "0 open" in capsys.readouterr().out


async def test_a_device_whose_first_event_is_not_seq_1_shows_the_gap_before_it(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    device.seq = 6
    assert (await post(collector, device, device.envelope())).status == 200
    (gap,) = flags_of(db_path, device)
    assert (gap.seq, gap.last_seq) == (1, 6)


async def test_two_events_with_one_seq_are_both_kept_and_flagged_as_a_fork(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    one, two = device.envelope(), device.envelope()
    assert (await post(collector, device, one, two)).status == 200
    rewritten = wrap(device.event(seq=2, prev_hash=one["event"]["hash"]))
    assert (await post(collector, device, rewritten)).status == 200
    assert stored_seqs(db_path, device) == [1, 2, 2]
    kinds = [f.kind.value for f in flags_of(db_path, device)]
    assert kinds == ["fork"]
    assert two["event"]["event_id"] in flags_of(db_path, device)[0].detail


async def test_an_event_following_an_earlier_record_again_is_a_fork_and_a_broken_link(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    one, two = device.envelope(), device.envelope()
    assert (await post(collector, device, one, two)).status == 200
    branch = wrap(device.event(prev_hash=one["event"]["hash"]))  # seq 3 after seq 1
    assert (await post(collector, device, branch)).status == 200
    flags = flags_of(db_path, device)
    assert sorted(f.kind.value for f in flags) == ["broken_link", "fork"]
    assert all(f.seq == 3 for f in flags)


async def test_a_link_that_does_not_match_is_flagged_either_way_round(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    one = device.envelope()
    device.last_hash = "f" * 64  # the next record names a hash seq 1 never had
    two = device.envelope()
    assert (await post(collector, device, one, two)).status == 200
    (flag,) = flags_of(db_path, device)
    assert (flag.kind.value, flag.seq) == ("broken_link", 2)
    # Arriving late, a record whose hash its successor does not name is flagged too.
    three, four = device.envelope(), device.envelope()
    four["event"]["prev_hash"] = "e" * 64
    assert (await post(collector, device, four)).status == 200
    assert (await post(collector, device, three)).status == 200
    flags = flags_of(db_path, device)
    assert [(f.kind.value, f.seq) for f in flags] == [
        ("broken_link", 2),
        ("gap", 3),
        ("broken_link", 4),
    ]
    assert flags[1].resolved_at is not None


async def test_an_event_id_resent_with_other_content_is_kept_aside_and_flagged_once(
    collector: TestClient[Any, Any], db_path: Path, device: Device
) -> None:
    original = device.envelope()
    assert (await post(collector, device, original)).status == 200
    altered = copy.deepcopy(original)
    altered["event"]["payload"]["justification"] = "Rewritten after the fact, to look better."
    for _ in range(2):  # a resent batch does not flag it twice
        assert (await post(collector, device, altered)).status == 200
    (flag,) = flags_of(db_path, device)
    assert (flag.kind.value, flag.event_id) == ("conflict", original["event"]["event_id"])
    with sqlite3.connect(db_path) as conn:
        (kept,) = conn.execute("SELECT envelope FROM integrity").fetchone()
        (stored,) = conn.execute("SELECT envelope FROM events").fetchone()
    assert "Rewritten after the fact" in kept
    assert "Rewritten after the fact" not in stored
