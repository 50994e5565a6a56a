"""One benchmark run: build the inputs, measure each section, evaluate the budgets."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from agent.bench.budgets import evaluate_budgets
from agent.bench.compile_bench import run_compile_section
from agent.bench.config import BenchConfig
from agent.bench.engine_bench import run_engine_section
from agent.bench.extension_latency import read_extension_section
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

S = TypeVar("S")
Progress = Callable[[str], None]


def _machine() -> Machine:
    return Machine(
        cpus=os.cpu_count() or 1,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.machine()}",
        load_avg_1m=os.getloadavg()[0],
    )


def _guarded(
    name: str,
    measure: Callable[[], S],
    on_error: Callable[[str], S],
    notes: list[str],
) -> S:
    """A section that breaks is reported as broken; the other sections still run."""
    try:
        return measure()
    except Exception as exc:  # noqa: BLE001 - a benchmark reports a broken part, then goes on
        reason = f"{type(exc).__name__}: {exc}"
        notes.append(f"{name} section failed: {reason}")
        return on_error(reason)


def _measure(
    ws: Workspace,
    config: BenchConfig,
    report: dict[str, object],
    notes: list[str],
    progress: Progress,
) -> None:
    wanted = set(config.sections)
    if "engine" in wanted:
        progress("engine latency and baselines")
        report["engine"] = _guarded(
            "engine",
            lambda: run_engine_section(ws, config),
            lambda why: EngineSection(error=why),
            notes,
        )
    if "compile" in wanted:
        progress("pack compile time and memory")
        report["compile"] = _guarded(
            "compile",
            lambda: run_compile_section(ws, config),
            lambda why: CompileSection(error=why),
            notes,
        )
    if "start" in wanted:
        progress("agent start, cold and cached")
        report["start"] = _guarded(
            "start",
            lambda: run_start_section(ws, config),
            lambda why: StartSection(compiled_cache=False, error=why),
            notes,
        )
    if "http" in wanted:
        progress("HTTP /v1/check and the HTTP floor")
        report["http"] = _guarded(
            "http",
            lambda: run_http_section(ws, config),
            lambda why: HttpSection(text_chars=config.http_text_chars, error=why),
            notes,
        )


def run_bench(
    config: BenchConfig,
    extension_latency: Path | None = None,
    progress: Progress = lambda _message: None,
) -> BenchReport:
    started = time.perf_counter()
    machine = _machine()
    sections: dict[str, object] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="postguard-bench-") as tmp:
        progress("generating phrase packs and posts")
        workspace = build_workspace(Path(tmp), config)
        _measure(workspace, config, sections, notes, progress)
    draft = BenchReport.model_validate(
        {
            "quick": config.quick,
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
