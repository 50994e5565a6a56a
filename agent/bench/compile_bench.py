"""Pack compile time and resident memory, one fresh process per pack set."""

from __future__ import annotations

import json
import subprocess
import sys

from agent.bench.config import BenchConfig
from agent.bench.models import CompileRow, CompileSection
from agent.bench.workspace import PackSet, Workspace

PROBE_TIMEOUT_S = 120


class ProbeError(RuntimeError):
    pass


def _probe(pack_set: PackSet) -> CompileRow:
    command = [sys.executable, "-m", "agent.bench.probe", *map(str, pack_set.dirs)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, generated paths
        command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ProbeError(f"compile probe for {pack_set.name} failed: {last}")
    values = json.loads(done.stdout)
    return CompileRow(pack_set=pack_set.name, phrases=pack_set.phrases, **values)


def run_compile_section(workspace: Workspace, config: BenchConfig) -> CompileSection:
    pack_sets = [workspace.bundled, *(workspace.layered[n] for n in config.phrase_counts)]
    try:
        return CompileSection(rows=[_probe(pack_set) for pack_set in pack_sets])
    except ProbeError as exc:
        return CompileSection(error=str(exc))
