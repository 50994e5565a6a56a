"""Engine check latency per post size and pack set, next to the two baselines."""

from __future__ import annotations

import gc
from functools import partial

from agent.bench.baselines import bare_automaton, bare_scanner, regex_scanner
from agent.bench.config import BenchConfig
from agent.bench.engine_api import load_engine
from agent.bench.models import BaselineCell, EngineCell, EngineSection
from agent.bench.stats import time_calls
from agent.bench.workspace import PackSet, Workspace
from agent.errors import UserError


def _engine_cells(workspace: Workspace, config: BenchConfig) -> list[EngineCell]:
    pack_sets: list[PackSet] = [workspace.bundled]
    for count in config.phrase_counts:
        pack_sets += [workspace.layered[count], workspace.phrase_only[count]]
    cells: list[EngineCell] = []
    for pack_set in pack_sets:
        check = load_engine(pack_set.dirs).check
        for size, text in workspace.posts.items():
            findings = len(check(text).findings)
            latency = time_calls(partial(check, text), config.engine_plan)
            cells.append(
                EngineCell(
                    pack_set=pack_set.name,
                    phrases=pack_set.phrases,
                    text_chars=size,
                    findings=findings,
                    latency=latency,
                )
            )
        # Drop the compiled engine before the next (possibly larger) one is built.
        del check
        gc.collect()
    return cells


def _baseline_cells(workspace: Workspace, config: BenchConfig) -> list[BaselineCell]:
    cells: list[BaselineCell] = []
    for count in config.phrase_counts:
        phrases = workspace.phrases[:count]
        scan = bare_scanner(bare_automaton(phrases))
        regex = regex_scanner(phrases) if count <= config.regex_max_phrases else None
        for size, text in workspace.posts.items():
            cells.append(
                BaselineCell(
                    method="bare_scan",
                    phrases=count,
                    text_chars=size,
                    matches=scan(text),
                    latency=time_calls(partial(scan, text), config.engine_plan),
                )
            )
            if regex is None:
                cells.append(
                    BaselineCell(
                        method="regex",
                        phrases=count,
                        text_chars=size,
                        skipped=f"not timed above {config.regex_max_phrases:,} phrases",
                    )
                )
                continue
            cells.append(
                BaselineCell(
                    method="regex",
                    phrases=count,
                    text_chars=size,
                    matches=regex(text),
                    latency=time_calls(partial(regex, text), config.baseline_plan),
                )
            )
    return cells


def run_engine_section(workspace: Workspace, config: BenchConfig) -> EngineSection:
    baselines = _baseline_cells(workspace, config)
    try:
        cells = _engine_cells(workspace, config)
    except (ImportError, UserError) as exc:
        # The baselines stand on their own; a broken engine or pack is reported beside them.
        return EngineSection(baselines=baselines, error=f"{type(exc).__name__}: {exc}")
    return EngineSection(cells=cells, baselines=baselines)
