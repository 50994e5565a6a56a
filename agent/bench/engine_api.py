"""The one place the suite touches the engine, so it always measures the real one."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from agent.engine.result import CheckResult, Platform

CheckFn = Callable[[str], CheckResult]


@dataclass(frozen=True)
class LoadedEngine:
    check: CheckFn
    load_ns: int
    compile_ns: int


def load_engine(pack_dirs: Sequence[Path], platform: Platform = Platform.LINKEDIN) -> LoadedEngine:
    """Load and compile ``pack_dirs`` once, timing each step; ``check`` uses a fixed time."""
    # Imported late, so a missing engine is reported as such instead of breaking the suite.
    from agent.packs.compile import compile_engine
    from agent.packs.loader import load_pack_set

    started = time.perf_counter_ns()
    pack_set = load_pack_set(list(pack_dirs))
    loaded = time.perf_counter_ns()
    engine = compile_engine(pack_set)
    compiled = time.perf_counter_ns()
    now = datetime.now(UTC)

    def check(text: str) -> CheckResult:
        return engine.check(text, platform, now)

    return LoadedEngine(check, load_ns=loaded - started, compile_ns=compiled - loaded)
