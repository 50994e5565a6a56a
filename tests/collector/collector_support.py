"""Shared helpers for collector tests: a device's chain of HEC envelopes, enrolment, auth."""

from __future__ import annotations

import gzip
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from agent.events.upload_wire import ENROL_PATH

TOKEN = "collector-test-token-0123456789"  # an enrolment token given to the collector at start
EVENT_URL = "/services/collector/event"

OVERRIDE_PAYLOAD: dict[str, Any] = {
    "platform": "linkedin",
    "reason": "the information is already public",
    "justification": "The launch date was announced in the press release this morning.",
    "findings": [
        {
            "rule_id": "confidential.codename",
            "pack_id": "example-company",
            "pack_version": "2026.11.1",
            "category": "confidential",
            "severity": "warn",
            "fingerprint": "ab" * 32,
        }
    ],
}


@dataclass
class Device:
    """Builds one device's records as its agent would: seq 1, 2, …, each linked to the last."""

    device_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    user: str = "alex@example.com"
    seq: int = 0
    last_hash: str = "0" * 64
    token: str | None = None

    def event(self, kind: str = "override", **changes: Any) -> dict[str, Any]:
        """The next record's ``event`` object (``changes`` override any field)."""
        self.seq += 1
        when = (
            datetime.now(UTC).replace(microsecond=0)
            - timedelta(seconds=60)
            + timedelta(milliseconds=self.seq)
        )
        payload = {
            "override": OVERRIDE_PAYLOAD,
            "feedback": {
                "rule_id": "confidential.codename",
                "pack_id": "example-company",
                "pack_version": "2026.11.1",
                "kind": "false_positive",
                "comment": None,
            },
            "acknowledge": {"policy_version": "2026.11.1"},
        }.get(kind, {"findings": []})
        digest = secrets.token_hex(32)
        body: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "seq": self.seq,
            "time": when.isoformat().replace("+00:00", "Z"),
            "user": self.user,
            "device_id": self.device_id,
            "kind": kind,
            "payload": payload,
            "prev_hash": self.last_hash,
            "hash": digest,
        }
        body.update(changes)
        self.last_hash = body["hash"]
        return body

    def envelope(self, kind: str = "override", **changes: Any) -> dict[str, Any]:
        return wrap(self.event(kind, **changes))

    def auth(self) -> dict[str, str]:
        assert self.token is not None, "enrol the device first"
        return auth(self.token)


def wrap(event: dict[str, Any]) -> dict[str, Any]:
    """The HEC envelope an uploader puts around a record."""
    when = datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")).timestamp()
    return {
        "time": when,
        "host": event["device_id"],
        "source": "postguard",
        "sourcetype": "postguard:event",
        "event": event,
    }


def batch_bytes(*envelopes: dict[str, Any], compress: bool = True) -> bytes:
    raw = "\n".join(json.dumps(e) for e in envelopes).encode()
    return gzip.compress(raw) if compress else raw


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Splunk {token}", "Content-Encoding": "gzip"}


async def enrol(
    client: TestClient[Any, Any], device: Device, token: str = TOKEN, **extra: Any
) -> Any:
    """Enrol ``device`` over HTTP; on success its device token is kept on it."""
    body = {"device_id": device.device_id, "user": device.user, **extra}
    response = await client.post(
        ENROL_PATH, json=body, headers={"Authorization": f"Splunk {token}"}
    )
    if response.status == 200:
        answer = await response.json()
        device.token = answer["device_token"]
    return response


async def post(client: TestClient[Any, Any], device: Device, *envelopes: dict[str, Any]) -> Any:
    return await client.post(EVENT_URL, data=batch_bytes(*envelopes), headers=device.auth())
