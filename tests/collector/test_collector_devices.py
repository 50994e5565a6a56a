"""Per-device tokens: the shared enrolment token enrols; only a device token sends, for itself."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import (
    EVENT_URL,
    OVERRIDE_PAYLOAD,
    TOKEN,
    Device,
    auth,
    batch_bytes,
    enrol,
    post,
    wrap,
)

from agent.cli import main
from agent.collector.app import create_collector_app
from agent.collector.store import CollectorStore


def stored(db_path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.execute("SELECT event_id, device_id, user FROM events ORDER BY seq"))


async def test_enrolment_gives_each_device_its_own_token_kept_only_as_a_digest(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    first, second = Device(), Device(user="sam@example.com")
    for device in (first, second):
        response = await enrol(collector, device)
        assert response.status == 200
        assert (await response.json())["device_id"] == device.device_id
    assert first.token and second.token and first.token != second.token
    assert first.token.startswith("pgd_") and TOKEN not in (first.token, second.token)
    for device in (first, second):
        assert (await post(collector, device, device.envelope())).status == 200
    raw = db_path.read_bytes() + db_path.with_name(db_path.name + "-wal").read_bytes()
    assert first.token.encode() not in raw and second.token.encode() not in raw
    store = CollectorStore(db_path)
    try:
        listed = {s.device.device_id: s for s in store.device_summaries()}
    finally:
        store.close()
    assert listed[second.device_id].device.user == "sam@example.com"
    assert listed[first.device_id].events == 1


async def test_the_shared_enrolment_token_cannot_send_events(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    response = await collector.post(
        EVENT_URL, data=batch_bytes(device.envelope()), headers=auth(TOKEN)
    )
    assert response.status == 403
    answer = await response.json()
    assert answer["code"] == 4 and "enrol" in answer["text"]
    assert stored(db_path) == []


async def test_a_device_token_speaks_only_for_its_own_device(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    mine, victim = Device(), Device(user="ceo@example.com")
    await enrol(collector, mine)
    await enrol(collector, victim)
    forged = victim.envelope()  # the victim's device id, user, next seq and a made-up hash
    response = await post(collector, mine, mine.envelope(), forged)
    assert response.status == 400
    answer = await response.json()
    assert answer["code"] == 6 and answer["invalid-event-number"] == 1
    assert "another device" in answer["text"]
    half_forged = wrap(mine.event())
    half_forged["host"] = victim.device_id
    response = await post(collector, mine, half_forged)
    assert (await response.json())["invalid-event-number"] == 0
    assert stored(db_path) == []


def _far_future() -> str:
    return (datetime.now(UTC) + timedelta(days=3)).isoformat()


def _long_ago() -> str:
    return (datetime.now(UTC) - timedelta(days=500)).isoformat()


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("check", {"kind": "check", "payload": {"findings": []}}, "kind"),
    ("unknown kind", {"kind": "promotion"}, "kind"),
    ("extra field", {"admin": True}, "admin"),
    ("escape in a field name", {"\x1b[2J" + "k" * 5000: 1}, "\\x1b[2J"),
    ("payload field", {"payload": {**OVERRIDE_PAYLOAD, "draft": "x"}}, "payload.draft"),
    (
        "long justification",
        {"payload": {**OVERRIDE_PAYLOAD, "justification": "j" * 10_001}},
        "payload.justification",
    ),
    ("no findings", {"payload": {**OVERRIDE_PAYLOAD, "findings": []}}, "payload.findings"),
    (
        "bad fingerprint",
        {
            "payload": {
                **OVERRIDE_PAYLOAD,
                "findings": [{**OVERRIDE_PAYLOAD["findings"][0], "fingerprint": "drafttext"}],
            }
        },
        "fingerprint",
    ),
    ("escape in user", {"user": "alex\x1b[31m"}, "user"),
    ("long user", {"user": "u" * 300}, "user"),
    ("event id", {"event_id": "not-a-uuid"}, "event_id"),
    ("seq as text", {"seq": "2"}, "seq"),
    ("seq zero", {"seq": 0}, "seq"),
    ("hash with spaces", {"hash": "a b c d e f g h i j k"}, "hash"),
    ("naive time", {"time": "2026-01-01T00:00:00"}, "time"),
]


@pytest.mark.parametrize(
    ("changes", "field"), [(c, f) for _, c, f in REFUSED], ids=[n for n, _, _ in REFUSED]
)
async def test_events_no_agent_sends_are_refused_whole_batch(
    collector: TestClient[Any, Any], db_path: Path, changes: dict[str, Any], field: str
) -> None:
    device = Device()
    await enrol(collector, device)
    good = device.envelope()
    bad = wrap({**device.event(), **changes}) if "time" not in changes else None
    if bad is None:  # a time the envelope cannot be derived from: keep the envelope's own
        bad = device.envelope()
        bad["event"].update(changes)
    response = await post(collector, device, good, bad)
    assert response.status == 400
    answer = await response.json()
    assert answer["code"] == 6 and answer["invalid-event-number"] == 1
    assert field in answer["text"]
    assert "\x1b" not in answer["text"] and len(answer["text"]) < 300
    assert stored(db_path) == []


@pytest.mark.parametrize(
    ("when", "message"),
    [(_far_future, "in the future"), (_long_ago, "400 days old")],
    ids=["future", "ancient"],
)
async def test_times_out_of_bounds_are_refused(
    collector: TestClient[Any, Any], db_path: Path, when: Any, message: str
) -> None:
    device = Device()
    await enrol(collector, device)
    response = await post(collector, device, wrap(device.event(time=when())))
    assert response.status == 400
    assert message in (await response.json())["text"]
    mismatched = device.envelope()
    mismatched["time"] -= 3600  # the report orders by the envelope's time: it must agree
    response = await post(collector, device, mismatched)
    assert "differ" in (await response.json())["text"]
    assert stored(db_path) == []


async def test_a_device_id_cannot_be_taken_over_by_enrolling_it_again(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device()
    await enrol(collector, device)
    original = device.token
    thief = Device(device_id=device.device_id, user="mallory@example.com")
    response = await enrol(collector, thief)
    assert response.status == 409
    assert thief.token is None
    assert (await post(collector, device, device.envelope())).status == 200
    # The device itself may rotate its token by proving it holds the current one.
    response = await enrol(collector, device, current_token=original)
    assert response.status == 200 and device.token != original
    old = Device(device_id=device.device_id, token=original, seq=device.seq)
    assert (await post(collector, old, old.envelope())).status == 403
    assert (await post(collector, device, device.envelope())).status == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"device_id": "not-a-uuid", "user": "alex"}, 400),
        ({"device_id": str(uuid.uuid4()), "user": "al\nex"}, 400),
        ({"device_id": str(uuid.uuid4()), "user": "alex", "role": "admin"}, 400),
        ({"device_id": str(uuid.uuid4()), "user": "x" * 5000}, 413),
    ],
)
async def test_bad_enrolments_are_refused(
    collector: TestClient[Any, Any], body: dict[str, Any], status: int
) -> None:
    response = await collector.post(
        "/services/collector/postguard/enrol",
        json=body,
        headers={"Authorization": f"Splunk {TOKEN}"},
    )
    assert response.status == status
    wrong = await collector.post(
        "/services/collector/postguard/enrol",
        json={"device_id": str(uuid.uuid4()), "user": "alex"},
        headers={"Authorization": "Splunk pgd_not-an-enrolment-token"},
    )
    assert wrong.status == 403


async def test_each_device_has_a_daily_quota(aiohttp_client: Any, db_path: Path) -> None:
    client: TestClient[Any, Any] = await aiohttp_client(
        create_collector_app(db_path, [TOKEN], device_quota=3)
    )
    busy, quiet = Device(), Device()
    await enrol(client, busy)
    await enrol(client, quiet)
    batch = [busy.envelope() for _ in range(5)]
    for _ in range(2):  # the agent resends the whole batch: still capped
        response = await post(client, busy, *batch)
        assert response.status == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 86400
        assert (await response.json())["code"] == 9
    assert len(stored(db_path)) == 3
    assert [row[0] for row in stored(db_path)] == [e["event"]["event_id"] for e in batch[:3]]
    assert (await post(client, quiet, quiet.envelope())).status == 200


async def test_events_naming_another_user_than_enrolled_are_stored_and_flagged(
    collector: TestClient[Any, Any], db_path: Path
) -> None:
    device = Device(user="alex@example.com")
    await enrol(collector, device)
    events = [device.envelope(), device.envelope(user="ceo@example.com")]
    events.append(device.envelope(user="ceo@example.com"))
    assert (await post(collector, device, *events)).status == 200
    assert len(stored(db_path)) == 3
    store = CollectorStore(db_path)
    try:
        flags = store.flags(device.device_id)
    finally:
        store.close()
    assert [f.kind.value for f in flags] == ["user_changed"]
    assert "ceo@example.com" in flags[0].detail and "alex@example.com" in flags[0].detail


async def test_it_releases_a_device_from_the_command_line(
    collector: TestClient[Any, Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = Device()
    await enrol(collector, device)
    assert (await post(collector, device, device.envelope())).status == 200
    assert main(["collector", "devices", "--db", str(db_path)]) == 0
    listing = capsys.readouterr().out
    assert device.device_id in listing and "events=1" in listing
    assert main(["collector", "release-device", "--db", str(db_path), "--device", "nope"]) == 2
    assert "no enrolled device" in capsys.readouterr().err
    argv = ["collector", "release-device", "--db", str(db_path), "--device", device.device_id]
    assert main(argv) == 0
    assert (await post(collector, device, device.envelope())).status == 403
    again = Device(device_id=device.device_id, seq=device.seq)
    assert (await enrol(collector, again)).status == 200
    assert (await post(collector, again, again.envelope())).status == 200


async def test_a_leaked_enrolment_token_is_revoked_and_its_devices_keep_working(
    collector: TestClient[Any, Any], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CollectorStore(db_path)
    try:
        leaked = store.add_token("sales-laptops")
    finally:
        store.close()
    device = Device()
    assert (await enrol(collector, device, leaked)).status == 200
    argv = ["collector", "revoke-token", "--db", str(db_path), "--name", "sales-laptops"]
    assert main(argv) == 0
    assert "revoked 1" in capsys.readouterr().out
    assert (await enrol(collector, Device(), leaked)).status == 403
    assert (await post(collector, device, device.envelope())).status == 200
