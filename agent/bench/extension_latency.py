"""Keystroke-pause → highlight times, recorded by the browser end-to-end test.

A real Chromium run does not belong inside a five-minute benchmark, so the
end-to-end test writes what it measured to a JSON file and the benchmark
reports it:

    {"debounce_ms": 300, "samples_ms": [341.2, 352.9, ...]}

``samples_ms`` are times from the last keystroke to the highlight being shown.
The file is named by ``POSTGUARD_EXTENSION_LATENCY_FILE`` (both sides read it).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.bench.models import ExtensionSection
from agent.bench.stats import summarize_ns

ENV_VAR = "POSTGUARD_EXTENSION_LATENCY_FILE"


class ExtensionLatencyFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    debounce_ms: float = Field(ge=0)
    samples_ms: list[float] = Field(min_length=1)


def latency_file(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    named = os.environ.get(ENV_VAR)
    return Path(named) if named else None


def read_extension_section(path: Path | None) -> ExtensionSection:
    if path is None:
        return ExtensionSection(
            source=f"set {ENV_VAR} or --extension-latency",
            error="no recording of the browser end-to-end test",
        )
    try:
        recorded = ExtensionLatencyFile.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a latency recording"
        return ExtensionSection(source=str(path), error=str(reason))
    beyond = [max(0.0, s - recorded.debounce_ms) for s in recorded.samples_ms]
    return ExtensionSection(
        source=str(path),
        debounce_ms=recorded.debounce_ms,
        beyond_debounce=summarize_ns([round(ms * 1e6) for ms in beyond]),
    )
