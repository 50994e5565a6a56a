"""Engine check latency per post size and pack set, next to the two baselines.

The engine cells and the bare scans are timed in interleaved rounds: on a shared
machine a burst of someone else's work then lands on every case a little,
instead of on one case entirely, so the ratios between cases stay honest.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from agent.bench.baselines import bare_automaton, bare_scanner, regex_scanner
from agent.bench.config import BenchConfig
from agent.bench.engine_api import load_engine
from agent.bench.models import BaselineCell, EngineCell, EngineSection
from agent.bench.stats import sample_calls, share, summarize_ns, time_calls
from agent.bench.workspace import PackSet, Workspace
from agent.errors import UserError

Key = tuple[str, int, int]  # (engine pack set | "bare_scan", phrases, text chars)


def _interleaved(
    cases: dict[Key, Callable[[], object]], config: BenchConfig
) -> dict[Key, list[int]]:
    plan = share(config.engine_plan, config.rounds)
    samples: dict[Key, list[int]] = {key: [] for key in cases}
    for _ in range(config.rounds):
        for key, call in cases.items():
            samples[key] += sample_calls(call, plan)
    return samples


def _pack_sets(workspace: Workspace, config: BenchConfig) -> list[PackSet]:
    pack_sets = [workspace.bundled]
    for count in config.phrase_counts:
        pack_sets += [workspace.layered[count], workspace.phrase_only[count]]
    return pack_sets


def _regex_cells(workspace: Workspace, config: BenchConfig) -> list[BaselineCell]:
    cells: list[BaselineCell] = []
    for count in config.phrase_counts:
        if count > config.regex_max_phrases:
            skipped = f"not timed above {config.regex_max_phrases:,} phrases"
            cells += [
                BaselineCell(method="regex", phrases=count, text_chars=size, skipped=skipped)
                for size in workspace.posts
            ]
            continue
        regex = regex_scanner(workspace.phrases[:count])
        for size, text in workspace.posts.items():
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
    cases: dict[Key, Callable[[], object]] = {}
    matches: dict[Key, int] = {}
    for count in config.phrase_counts:
        scan = bare_scanner(bare_automaton(workspace.phrases[:count]))
        for size, text in workspace.posts.items():
            cases["bare_scan", count, size] = partial(scan, text)
            matches["bare_scan", count, size] = scan(text)
    error = None
    try:
        for pack_set in _pack_sets(workspace, config):
            check = load_engine(pack_set.dirs).check
            for size, text in workspace.posts.items():
                cases[pack_set.name, pack_set.phrases, size] = partial(check, text)
                matches[pack_set.name, pack_set.phrases, size] = len(check(text).findings)
    except (ImportError, UserError) as exc:
        # The baselines stand on their own; a broken engine or pack is reported beside them.
        error = f"{type(exc).__name__}: {exc}"
    samples = _interleaved(cases, config)
    engine, bare = [], []
    for (name, phrases, size), timed in samples.items():
        latency = summarize_ns(timed)
        if name == "bare_scan":
            bare.append(
                BaselineCell(
                    method="bare_scan",
                    phrases=phrases,
                    text_chars=size,
                    matches=matches[name, phrases, size],
                    latency=latency,
                )
            )
        else:
            engine.append(
                EngineCell(
                    pack_set=name,
                    phrases=phrases,
                    text_chars=size,
                    findings=matches[name, phrases, size],
                    latency=latency,
                )
            )
    return EngineSection(
        cells=engine, baselines=[*bare, *_regex_cells(workspace, config)], error=error
    )
