"""The collector takes an agent's heartbeat with its own strict payload, and nothing looser."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from collector_support import Device, enrol, post

from agent import __version__
from agent.events.records import HeartbeatPayload, PackInForce


def heartbeat(**changes: Any) -> dict[str, Any]:
    """A payload exactly as the agent's model dumps it."""
    payload = HeartbeatPayload(
        reason="start",
        agent_version=__version__,
        extension_version=None,
        paired=True,
        packs_source="sync",
        packs=[PackInForce(id="baseline", version="2026.12.1")],
        serial=41,
        sync_state="ok",
        pending=0,
        last_upload=None,
    ).model_dump(mode="json")
    payload.update(changes)
    return payload


async def test_a_heartbeat_as_the_agent_records_it_is_stored(
    collector: TestClient[Any, Any],
) -> None:
    device = Device()
    assert (await enrol(collector, device)).status == 200
    answer = await post(
        collector,
        device,
        device.envelope("heartbeat", payload=heartbeat()),
        device.envelope(
            "heartbeat",
            payload=heartbeat(reason="daily", last_upload="2026-12-01T08:00:00.000000Z"),
        ),
    )
    assert answer.status == 200, await answer.text()
    assert (await answer.json())["code"] == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"draft": "Project Nightingale launches"}, "draft"),  # no field for any text
        ({"paired": "yes"}, "paired"),
        ({"pending": -1}, "pending"),
        ({"serial": 2**60}, "serial"),
        ({"sync_state": "fine"}, "sync_state"),
        ({"reason": "hourly"}, "reason"),
        ({"agent_version": "1" * 101}, "agent_version"),
        ({"extension_version": "1.0\x1b[2J"}, "extension_version"),
        ({"packs": [{"id": "p", "version": "1"}] * 65}, "packs"),
        ({"packs": [{"id": "p", "version": "1", "rules": 3}]}, "packs"),
        ({"last_upload": "2026-12-01T08:00:00"}, "last_upload"),  # no zone
    ],
)
async def test_a_heartbeat_outside_its_schema_refuses_the_batch(
    collector: TestClient[Any, Any], changes: dict[str, Any], field: str
) -> None:
    device = Device()
    assert (await enrol(collector, device)).status == 200
    answer = await post(
        collector, device, device.envelope("heartbeat", payload=heartbeat(**changes))
    )
    assert answer.status == 400
    body = await answer.json()
    assert body["code"] == 6
    assert f"payload.{field}" in body["text"]
    assert "Nightingale" not in body["text"]
