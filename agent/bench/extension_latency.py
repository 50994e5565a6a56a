"""Keystroke-pause → highlight times, recorded by the browser end-to-end test.

A real Chromium run does not belong inside a five-minute benchmark, so the
end-to-end test (tests/e2e) writes what it measured to
``artifacts/e2e-latency.json`` and the benchmark reports it:

    {"debounce_ms": 300, "samples_ms": [318.3, 302.2, ...], ...}

(or per-sample objects, ``"samples": [{"in_page_ms": 318.3, ...}, ...]``). A sample
runs from the last keystroke to the highlight being applied, so it includes the
typing-pause debounce; the budget is on the time beyond it. When the recording does
not say its debounce, the extension's own ``DEBOUNCE_MS`` is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.bench.models import ExtensionSection
from agent.bench.stats import summarize_ns
from agent.paths import REPO_ROOT

DEFAULT_RECORDING = REPO_ROOT / "artifacts" / "e2e-latency.json"
COMPOSER_JS = REPO_ROOT / "extension" / "content" / "composer.js"
_DEBOUNCE = re.compile(r"export const DEBOUNCE_MS = (\d+);")


class _Sample(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    in_page_ms: float = Field(ge=0)


class LatencyRecording(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    debounce_ms: float | None = Field(default=None, ge=0)
    samples_ms: list[float] | None = None
    samples: list[_Sample] | None = None

    def times_ms(self) -> list[float]:
        if self.samples_ms is not None:
            return self.samples_ms
        return [sample.in_page_ms for sample in self.samples or ()]


def _extension_debounce_ms() -> float | None:
    try:
        found = _DEBOUNCE.search(COMPOSER_JS.read_text(encoding="utf-8"))
    except OSError:
        return None
    return float(found.group(1)) if found else None


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def read_extension_section(path: Path | None = None) -> ExtensionSection:
    source = (path or DEFAULT_RECORDING).resolve()
    if path is None and not source.exists():
        return ExtensionSection(
            source=_shown(source), error="no recording: run the browser end-to-end tests first"
        )
    try:
        recorded = LatencyRecording.model_validate_json(source.read_bytes())
    except OSError as exc:
        return ExtensionSection(source=_shown(source), error=exc.strerror or "unreadable")
    except ValidationError:
        return ExtensionSection(source=_shown(source), error="not a latency recording")
    debounce = recorded.debounce_ms
    if debounce is None:
        debounce = _extension_debounce_ms()
    if debounce is None:
        return ExtensionSection(source=_shown(source), error="the debounce is unknown")
    times = recorded.times_ms()
    if not times:
        return ExtensionSection(source=_shown(source), error="the recording has no samples")
    # Clamped at 0: a sample a few ms under the debounce is timer jitter, not negative work.
    beyond = [max(0.0, ms - debounce) for ms in times]
    return ExtensionSection(
        source=_shown(source),
        debounce_ms=debounce,
        beyond_debounce=summarize_ns([round(ms * 1e6) for ms in beyond]),
    )
