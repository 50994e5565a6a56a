"""The keyed audit chain and its high-water mark: truncation, re-chaining and old logs."""

from __future__ import annotations

import itertools
import json
import os
import stat
from pathlib import Path

import pytest
from audit_support import (
    db_path,
    fill,
    open_log,
    rechain_plain,
    rows,
    sql,
    store,
    verify_cli,
    write_legacy_log,
)

from agent.events.audit import AuditLog, NotRecorded
from agent.events.records import AcknowledgePayload, EventKind, FeedbackKind, FeedbackPayload

MARK = "audit.sqlite3.mark"


def _problems(log: AuditLog) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in log.verify().problems]


# -- the attacks a plain hash chain let through ---------------------------------------------


@pytest.mark.slow
def test_deleting_the_newest_records_fails_verify(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    fill(log, 5)
    log.close()
    sql(db_path(tmp_path), "DELETE FROM events WHERE seq >= 4")
    done = verify_cli(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "record 4: truncated: the log ends at record 3 but the high-water mark is record 5: "
        "records 4..5 were removed"
    ]
    assert done.stdout.startswith("audit log TAMPERED")


@pytest.mark.slow
def test_a_rewritten_record_with_every_later_hash_recomputed_fails_verify(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 5)
    log.close()
    path = db_path(tmp_path)
    sql(path, """UPDATE events SET payload = '{"policy_version":"forged"}' WHERE seq = 2""")
    rechain_plain(path, from_seq=2)
    records = rows(path)
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(records))
    done = verify_cli(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == "record 2: edited: content does not match its hash"


def test_no_sequence_number_is_reused_after_the_newest_records_are_deleted(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 5)
    removed = rows(db_path(tmp_path))[-1]
    log.close()
    sql(db_path(tmp_path), "DELETE FROM events WHERE seq >= 4")
    log = open_log(tmp_path)  # the agent restarts on the truncated log
    assert _problems(log) == [(4, "truncated")]
    record = log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="after"))
    # The chain goes on from the last record ever written, as the collector knows it.
    assert record.seq == 6
    assert record.prev_hash == removed["hash"]
    # The gap stays on record: the log is never silently whole again.
    assert _problems(log) == [(4, "missing")]
    assert log.verify().problems[0].detail == "records 4..5 are missing"


def test_records_deleted_while_the_agent_runs_do_not_make_it_reuse_numbers(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 4)
    sql(db_path(tmp_path), "DELETE FROM events WHERE seq = 4")
    record = log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="next"))
    assert record.seq == 5
    assert _problems(log) == [(4, "missing")]


def test_relabelling_keyed_records_as_plain_and_removing_the_mark_is_reported(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 4)
    log.close()
    path = db_path(tmp_path)
    sql(path, """UPDATE events SET payload = '{"policy_version":"forged"}' WHERE seq = 3""")
    rechain_plain(path, from_seq=1)
    sql(path, "DELETE FROM meta WHERE key = 'chain_epochs'")
    (path.parent / MARK).unlink()
    log = open_log(tmp_path)
    problems = log.verify().problems
    assert [(p.seq, p.kind) for p in problems] == [(5, "mark")]
    assert "high-water mark was missing or not genuine" in problems[0].detail
    # Still recording, after the highest number seen.
    assert log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="x")).seq == 5


def test_relabelling_keyed_records_as_plain_is_caught_by_the_mark(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    fill(log, 3)
    log.close()
    path = db_path(tmp_path)
    rechain_plain(path, from_seq=1)
    sql(path, "DELETE FROM meta WHERE key = 'chain_epochs'")
    assert _problems(open_log(tmp_path)) == [(1, "edited"), (2, "edited"), (3, "edited")]


def test_a_forged_high_water_mark_is_reported(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    fill(log, 3)
    log.close()
    mark_file = db_path(tmp_path).parent / MARK
    signed = json.loads(mark_file.read_text())
    signed["mark"]["seq"] = 2  # hide record 3, as if it had never been written
    mark_file.write_text(json.dumps(signed))
    sql(db_path(tmp_path), "DELETE FROM events WHERE seq = 3")
    log = open_log(tmp_path)
    assert _problems(log) == [(3, "mark")]


def test_the_mark_lags_the_database_after_a_crash_without_a_false_alarm(
    tmp_path: Path,
) -> None:
    """Killed between the commit and the mark update: the next start carries on."""
    log = open_log(tmp_path)
    fill(log, 3)
    mark_file = db_path(tmp_path).parent / MARK
    older = mark_file.read_bytes()
    fill(log, 1)
    log.close()
    mark_file.write_bytes(older)
    log = open_log(tmp_path)
    report = log.verify()
    assert report.ok and report.records == 4 and report.high_water == 4
    assert log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="x")).seq == 5


# -- where the secret and the mark live -------------------------------------------------------


def test_the_chain_secret_is_outside_the_database_and_the_mark_is_private(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 2)
    log.close()
    secret = store(tmp_path).get("audit-chain-key")
    assert secret
    data = tmp_path / "data"
    for file in data.iterdir():
        assert secret.encode() not in file.read_bytes(), file
    mark_file = data / MARK
    assert stat.S_IMODE(mark_file.stat().st_mode) == 0o600
    mark = json.loads(mark_file.read_text())["mark"]
    assert (mark["seq"], mark["hash"]) == (2, rows(db_path(tmp_path))[-1]["hash"])
    assert not [p for p in data.iterdir() if p.name.endswith(".tmp")]


def test_records_sealed_with_a_lost_secret_are_reported_and_recording_goes_on(
    tmp_path: Path,
) -> None:
    log = open_log(tmp_path)
    fill(log, 3)
    log.close()
    assert store(tmp_path).delete("audit-chain-key")
    log = open_log(tmp_path)
    record = log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="x"))
    assert record.seq == 4
    problems = log.verify().problems
    assert [(p.seq, p.kind) for p in problems] == [(1, "unverifiable"), (4, "mark")]
    assert problems[0].detail.startswith("records 1..3 were sealed with a chain secret")


# -- logs written before the keyed chain ------------------------------------------------------


@pytest.mark.slow
def test_a_log_from_before_the_keyed_chain_still_verifies_and_says_where_keying_starts(
    tmp_path: Path,
) -> None:
    path = db_path(tmp_path)
    write_legacy_log(path, 3)
    log = open_log(tmp_path)
    assert log.verify().ok
    fill(log, 2)
    report = log.verify()
    assert report.ok and report.records == 5 and report.keyed_from == 4
    log.close()
    done = verify_cli(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == (
        "audit log OK: 5 records, chain intact; records 1..3 predate the keyed chain "
        "(plain SHA-256, anchored by record 4), keyed from record 4 on"
    )


def test_old_records_cannot_be_rechained_after_the_upgrade(tmp_path: Path) -> None:
    path = db_path(tmp_path)
    write_legacy_log(path, 3)
    open_log(tmp_path).close()  # the upgraded agent starts: the mark anchors record 3
    sql(path, """UPDATE events SET payload = '{"policy_version":"forged"}' WHERE seq = 2""")
    rechain_plain(path, from_seq=2)
    problems = open_log(tmp_path).verify().problems
    assert [(p.seq, p.kind, p.detail) for p in problems] == [
        (3, "edited", "the record differs from the high-water mark")
    ]


def test_old_records_are_anchored_by_the_first_keyed_record(tmp_path: Path) -> None:
    path = db_path(tmp_path)
    write_legacy_log(path, 3)
    log = open_log(tmp_path)
    fill(log, 1)
    log.close()
    sql(path, """UPDATE events SET payload = '{"policy_version":"forged"}' WHERE seq = 1""")
    rechain_plain(path, from_seq=1)
    sql(path, "UPDATE events SET prev_hash = ? WHERE seq = 4", (rows(path)[2]["hash"],))
    assert _problems(open_log(tmp_path)) == [(4, "edited")]


# -- a failed append leaves the log usable ---------------------------------------------------


def test_a_lone_surrogate_is_refused_and_the_next_event_is_recorded(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    bad = FeedbackPayload(
        rule_id="confidential.codename",
        pack_id=None,
        pack_version=None,
        kind=FeedbackKind.OTHER,
        comment="broken emoji \ud83d",
    )
    with pytest.raises(NotRecorded, match="lone surrogate"):
        log.append(EventKind.FEEDBACK, bad)
    record = log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="v1"))
    assert record.seq == 1
    assert log.count() == 1
    assert log.verify().ok


@pytest.mark.parametrize("replacement", ["fifo", "oversized", "garbage"])
def test_a_mark_that_is_not_a_small_regular_file_is_reported_without_hanging(
    tmp_path: Path, replacement: str
) -> None:
    log = open_log(tmp_path)
    fill(log, 2)
    log.close()
    mark_file = db_path(tmp_path).parent / MARK
    mark_file.unlink()
    if replacement == "fifo":
        os.mkfifo(mark_file)  # opened naively, this would block the agent's start
    elif replacement == "oversized":
        mark_file.write_bytes(b" " * (1 << 20))
    else:
        mark_file.write_bytes(b"\xff{not json")
    log = open_log(tmp_path)
    assert _problems(log) == [(3, "mark")]
    assert log.append(EventKind.ACKNOWLEDGE, AcknowledgePayload(policy_version="x")).seq == 3
    assert mark_file.is_file()  # replaced by a genuine mark
