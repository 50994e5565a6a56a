"""How the fleet section reads in the table, CSV and HTML: its columns and words, once."""

from __future__ import annotations

from typing import Final

from agent.report.cells import minute, yes_no
from agent.report.model import Fleet, FleetDevice, FleetFlag

FLAG_WORDS: Final[dict[FleetFlag, str]] = {
    "old_packs": "older pack set",
    "unpaired": "unpaired",
    "not_uploading": "not uploading",
    "not_seen": "not seen",
}
HEADERS: Final = (
    "device",
    "user",
    "last heartbeat",
    "last seen",
    "agent",
    "extension",
    "packs",
    "serial",
    "sync",
    "paired",
    "pending",
    "last upload",
    "flags",
)


def cells(device: FleetDevice) -> list[str]:
    """One device's row as text, in ``HEADERS`` order (shown harmless by each renderer)."""
    return [
        device.device_id,
        device.user or "–",
        minute(device.last_heartbeat),
        minute(device.last_seen),
        device.agent_version or "–",
        device.extension_version or "–",
        ", ".join(device.packs) or "–",
        "–" if device.serial is None else str(device.serial),
        device.sync_state or "–",
        yes_no(device.paired),
        "–" if device.pending is None else str(device.pending),
        minute(device.last_upload),
        flags(device),
    ]


def flags(device: FleetDevice) -> str:
    return ", ".join(FLAG_WORDS[flag] for flag in device.flags)


def summary(fleet: Fleet) -> str:
    counts = {flag: sum(flag in d.flags for d in fleet.devices) for flag in FLAG_WORDS}
    newest = "none" if fleet.newest_serial is None else str(fleet.newest_serial)
    parts = [f"{len(fleet.devices)} devices", f"newest pack set serial {newest}"]
    parts += [f"{FLAG_WORDS[flag]} {n}" for flag, n in counts.items()]
    if fleet.skipped:
        parts.append(f"left out {fleet.skipped} (unreadable heartbeats, or past the device limit)")
    return " · ".join(parts) + f" (stale after {fleet.stale_days} days)"
