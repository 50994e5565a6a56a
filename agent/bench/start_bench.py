"""Agent start time: spawn of ``postguard serve`` until health answers, cold and cached.

"cold" is a fresh data directory; "cached" is a second start over the same data
directory, which is where a compiled-pack cache would be found.
"""

from __future__ import annotations

import compileall
import time
from pathlib import Path

import agent
from agent.bench.config import BenchConfig
from agent.bench.models import StartRow, StartSection
from agent.bench.servers import ServerError, start_agent, stop
from agent.bench.workspace import PackSet, Workspace

_CACHE_HINTS = ("cache", "compiled")
# A cache may be written after the agent starts answering; give it time before stopping.
_CACHE_WRITE_GRACE_S = 1.0


def _has_compiled_cache(data_dir: Path) -> bool:
    return data_dir.is_dir() and any(
        hint in path.name.lower() for path in data_dir.rglob("*") for hint in _CACHE_HINTS
    )


def _start_once(home: Path, pack_set: PackSet, linger_s: float = 0.0) -> float:
    server = start_agent(home, pack_set.dirs)
    time.sleep(linger_s)
    stop(server)
    return server.start_ms


def run_start_section(workspace: Workspace, config: BenchConfig) -> StartSection:
    # An installed agent has its bytecode; a checkout may not (PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(Path(agent.__file__).parent, quiet=1)
    largest = workspace.layered[max(config.phrase_counts)]
    rows: list[StartRow] = []
    cache_seen = False
    try:
        for pack_set in (workspace.bundled, largest):
            home = workspace.root / f"start-{pack_set.name}"
            home.mkdir()
            cold = _start_once(home, pack_set, linger_s=_CACHE_WRITE_GRACE_S)
            rows.append(StartRow(kind="cold", pack_set=pack_set.name, ms=cold))
            cache_seen = cache_seen or _has_compiled_cache(home / "data")
            rows.append(
                StartRow(kind="cached", pack_set=pack_set.name, ms=_start_once(home, pack_set))
            )
    except ServerError as exc:
        return StartSection(rows=rows, compiled_cache=cache_seen, error=str(exc))
    return StartSection(rows=rows, compiled_cache=cache_seen)
