"""Shared helpers for collector and upload tests: HEC envelopes and auth headers."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

TOKEN = "collector-test-token-0123456789"


def envelope(event_id: str | None = None, **event: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"event_id": event_id or str(uuid.uuid4()), "kind": "override"}
    body.update(event)
    return {
        "time": 1767225600.0,
        "host": "device-1",
        "source": "postguard",
        "sourcetype": "postguard:event",
        "event": body,
    }


def batch_bytes(*envelopes: dict[str, Any], compress: bool = True) -> bytes:
    raw = "\n".join(json.dumps(e) for e in envelopes).encode()
    return gzip.compress(raw) if compress else raw


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Splunk {token}", "Content-Encoding": "gzip"}
