"""The benchmark's results: what ``--json`` writes and the table is rendered from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.bench.config import BenchConfig
from agent.bench.stats import Latency


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EngineCell(_Row):
    """The engine's check latency for one post size against one pack set."""

    pack_set: str = Field(description="bundled | bundled+N | phrases-N")
    phrases: int = Field(description="generated phrases in the set (0: bundled only)")
    text_chars: int
    findings: int
    latency: Latency


class BaselineCell(_Row):
    method: Literal["regex", "bare_scan"]
    phrases: int
    text_chars: int
    matches: int | None = None
    latency: Latency | None = None
    skipped: str | None = None


class EngineSection(_Row):
    cells: list[EngineCell] = Field(default_factory=list)
    baselines: list[BaselineCell] = Field(default_factory=list)
    error: str | None = None


class CompileRow(_Row):
    """Loading and compiling one pack set in a fresh process."""

    pack_set: str
    phrases: int
    load_ms: float | None = Field(description="YAML to validated packs; None when not separable")
    compile_ms: float = Field(description="validated packs to a ready engine")
    rss_base_mb: float = Field(description="process RSS after imports, before loading")
    rss_mb: float = Field(description="process RSS with the engine ready")


class CompileSection(_Row):
    rows: list[CompileRow] = Field(default_factory=list)
    error: str | None = None


class StartRow(_Row):
    """Spawn of ``postguard serve`` until ``GET /v1/health`` answers 200."""

    kind: Literal["cold", "cached"]
    pack_set: str
    ms: float


class StartSection(_Row):
    rows: list[StartRow] = Field(default_factory=list)
    compiled_cache: bool = Field(
        description="whether the agent left a compiled cache to start from"
    )
    error: str | None = None


class HttpRow(_Row):
    target: Literal["agent", "echo"]
    concurrency: int
    requests: int
    errors: dict[str, int]
    checks_per_s: float
    latency: Latency | None


class IdleCpu(_Row):
    seconds: float
    cpu_seconds: float
    percent_of_one_core: float


class HttpSection(_Row):
    text_chars: int
    rows: list[HttpRow] = Field(default_factory=list)
    idle: IdleCpu | None = None
    agent_rss_mb: float | None = None
    error: str | None = None


class ExtensionSection(_Row):
    """Keystroke pause to highlight, recorded by the browser end-to-end test."""

    source: str
    debounce_ms: float | None = None
    beyond_debounce: Latency | None = None
    error: str | None = None


class BudgetRow(_Row):
    name: str
    target: str
    measured: str
    met: bool | None = Field(description="None: not measured in this run")


class Machine(_Row):
    cpus: int
    python: str
    platform: str
    load_avg_1m: float
    # agent.bench.gauge at the start and the end of the run (lower is faster)
    gauge_start_ms: float | None = None
    gauge_end_ms: float | None = None


class BenchReport(_Row):
    quick: bool
    config: BenchConfig = Field(description="sizes, sample plans and durations of this run")
    machine: Machine
    duration_s: float
    engine: EngineSection | None = None
    compile: CompileSection | None = None
    start: StartSection | None = None
    http: HttpSection | None = None
    extension: ExtensionSection | None = None
    budgets: list[BudgetRow] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
