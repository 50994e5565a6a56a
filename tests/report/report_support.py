"""Collector databases for the report tests, written through the collector's own store."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.collector.store import CollectorStore
from agent.events.upload_wire import HecEnvelope

START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday: ISO week 2026-W37

RULES = {
    "confidential.codename": ("example-company", "confidential", "warn"),
    "financial.quiet-period": ("example-company", "financial", "block"),
    "company_voice.official-statement": ("baseline", "company_voice", "warn"),
    "disclosure.employee-promotion": ("baseline", "disclosure", "warn"),
    "personal_data.email-address": ("baseline", "personal_data", "warn"),
}
REASONS = [
    "part of an approved campaign",
    "the information is already public",
    "my manager approved it",
    "this is a false positive",
]


def event(
    kind: str, when: datetime, user: str, payload: dict[str, Any], device: str = "dev-1"
) -> HecEnvelope:
    body = {
        "event_id": str(uuid.uuid4()),
        "seq": 1,
        "time": when.isoformat().replace("+00:00", "Z"),
        "user": user,
        "device_id": device,
        "kind": kind,
        "payload": payload,
        "prev_hash": "0" * 64,
        "hash": "1" * 64,
    }
    return HecEnvelope(time=when.timestamp(), host=device, event=body)


def override(when: datetime, user: str, rule_id: str, reason: str, version: str) -> HecEnvelope:
    pack, category, severity = RULES[rule_id]
    return event(
        "override",
        when,
        user,
        {
            "platform": "linkedin",
            "reason": reason,
            "justification": f"{reason}: reviewed with my team lead before posting.",
            "findings": [
                {
                    "rule_id": rule_id,
                    "pack_id": pack,
                    "pack_version": version,
                    "category": category,
                    "severity": severity,
                    "fingerprint": "ab" * 32,
                }
            ],
        },
    )


def false_positive(when: datetime, user: str, rule_id: str, version: str) -> HecEnvelope:
    return event(
        "feedback",
        when,
        user,
        {
            "rule_id": rule_id,
            "pack_id": RULES[rule_id][0],
            "pack_version": version,
            "kind": "false_positive",
            "comment": "flagged a public product name",
        },
    )


def acknowledge(when: datetime, user: str, version: str) -> HecEnvelope:
    return event("acknowledge", when, user, {"policy_version": version})


def sample_events(seed: int = 7) -> list[HecEnvelope]:
    """Ten weeks of a plausible rollout: a noisy codename rule revised mid-way."""
    rng = random.Random(seed)
    users = [f"user{i:02d}@example.com" for i in range(24)]
    weights = {
        "confidential.codename": 6,
        "company_voice.official-statement": 3,
        "disclosure.employee-promotion": 2,
        "personal_data.email-address": 1,
        "financial.quiet-period": 1,
    }
    out: list[HecEnvelope] = []
    for day in range(70):
        when = START + timedelta(days=day, hours=rng.randint(0, 8))
        version = "2026.9.1" if day < 35 else "2026.10.1"
        for rule_id, weight in weights.items():
            noisy = rule_id == "confidential.codename" and day < 35
            for _ in range(
                sum(rng.random() < (weight + (4 if noisy else 0)) / 10 for _ in range(2))
            ):
                user = rng.choice(users)
                if rng.random() < (0.45 if noisy else 0.15):
                    out.append(false_positive(when, user, rule_id, version))
                else:
                    out.append(override(when, user, rule_id, rng.choice(REASONS), version))
    for i, user in enumerate(users):
        out.append(acknowledge(START + timedelta(days=1), user, "2026.9.1"))
        if i % 4:
            out.append(acknowledge(START + timedelta(days=36), user, "2026.10.1"))
    return out


def write_db(path: Path, envelopes: list[HecEnvelope]) -> Path:
    store = CollectorStore(path)
    try:
        store.insert_batch(envelopes, token_name="test", received_at=START.timestamp())
    finally:
        store.close()
    return path
