"""One benchmark run: build the inputs, measure each section, evaluate the budgets."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from agent.bench.budgets import evaluate_budgets
from agent.bench.compile_bench import run_compile_section
from agent.bench.config import BenchConfig
from agent.bench.engine_bench import run_engine_section
from agent.bench.extension_latency import read_extension_section
from agent.bench.gauge import gauge_ms
from agent.bench.http_bench import run_http_section
from agent.bench.models import (
    BenchReport,
    CompileSection,
    EngineSection,
    HttpSection,
    Machine,
    StartSection,
)
from agent.bench.start_bench import run_start_section
from agent.bench.workspace import Workspace, build_workspace

# Above this 1-minute load per CPU, the report warns that other work skewed the numbers.
BUSY_LOAD_PER_CPU = 0.5
# A gauge this much slower (or faster) at the end than at the start: the machine changed pace.
GAUGE_DRIFT = 0.25
Progress = Callable[[str], None]


def _machine() -> Machine:
    return Machine(
        cpus=os.cpu_count() or 1,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        load_avg_1m=os.getloadavg()[0],
        gauge_start_ms=gauge_ms(),
    )


@dataclass(frozen=True)
class _Section:
    name: str
    doing: str
    measure: Callable[[Workspace, BenchConfig], BaseModel]
    broken: Callable[[str, BenchConfig], BaseModel]


_SECTIONS: tuple[_Section, ...] = (
    _Section(
        "engine",
        "engine latency and baselines",
        run_engine_section,
        lambda why, _config: EngineSection(error=why),
    ),
    _Section(
        "compile",
        "pack compile time and memory",
        run_compile_section,
        lambda why, _config: CompileSection(error=why),
    ),
    _Section(
        "start",
        "agent start, cold and cached",
        run_start_section,
        lambda why, _config: StartSection(compiled_cache=False, error=why),
    ),
    _Section(
        "http",
        "HTTP /v1/check and the HTTP floor",
        run_http_section,
        lambda why, config: HttpSection(text_chars=config.http_text_chars, error=why),
    ),
)


def _measure(
    workspace: Workspace, config: BenchConfig, notes: list[str], progress: Progress
) -> dict[str, BaseModel]:
    """Each wanted section; one that breaks is reported as broken and the others still run."""
    results: dict[str, BaseModel] = {}
    for section in _SECTIONS:
        if section.name not in config.sections:
            continue
        progress(section.doing)
        try:
            results[section.name] = section.measure(workspace, config)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports a broken part, goes on
            reason = f"{type(exc).__name__}: {exc}"
            notes.append(f"{section.name} section failed: {reason}")
            results[section.name] = section.broken(reason, config)
    return results


def run_bench(
    config: BenchConfig,
    extension_latency: Path | None = None,
    progress: Progress = lambda _message: None,
) -> BenchReport:
    started = time.perf_counter()
    machine = _machine()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="postguard-bench-") as tmp:
        progress("generating phrase packs and posts")
        workspace = build_workspace(Path(tmp), config)
        sections = _measure(workspace, config, notes, progress)
    machine = machine.model_copy(update={"gauge_end_ms": gauge_ms()})
    start_ms, end_ms = machine.gauge_start_ms or 0.0, machine.gauge_end_ms or 0.0
    if start_ms and abs(end_ms - start_ms) > GAUGE_DRIFT * start_ms:
        notes.append(
            f"the machine changed pace during the run (CPU gauge {start_ms:.1f} ms at the "
            f"start, {end_ms:.1f} ms at the end): sections measured at different speeds"
        )
    # The load when the run began: later the average also counts the run itself.
    if machine.load_avg_1m > BUSY_LOAD_PER_CPU * machine.cpus:
        notes.append(
            f"the machine was busy (1-minute load {machine.load_avg_1m:.1f} on "
            f"{machine.cpus} CPUs at the start): other work shared these cores, so "
            "latencies are pessimistic; re-run when idle"
        )
    draft = BenchReport.model_validate(
        {
            "quick": config.quick,
            "config": config,
            "machine": machine,
            "duration_s": time.perf_counter() - started,
            "extension": read_extension_section(extension_latency),
            "notes": notes,
            **sections,
        }
    )
    budgets = evaluate_budgets(draft, config)
    return draft.model_copy(update={"budgets": budgets})


def stderr_progress(message: str) -> None:
    print(f"postguard bench: {message} …", file=sys.stderr, flush=True)
