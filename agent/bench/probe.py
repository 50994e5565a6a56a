"""Run in a fresh process: load and compile packs once, print timings and RSS as JSON.

A fresh process per pack set keeps one size's memory from hiding in the next
one's numbers. Usage: ``python -m agent.bench.probe DIR [DIR ...]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psutil

from agent.bench.engine_api import load_engine

MB = 1024 * 1024


def probe(dirs: list[Path]) -> dict[str, float | None]:
    # Imports belong to the base line, not to loading or compiling.
    import agent.engine.engine
    import agent.packs.loader  # noqa: F401

    process = psutil.Process()
    rss_base = process.memory_info().rss
    loaded = load_engine(dirs)
    loaded.check("warm")  # the first check may build lazy state; it belongs to the resident set
    return {
        "load_ms": loaded.load_ns / 1e6,
        "compile_ms": loaded.compile_ns / 1e6,
        "rss_base_mb": rss_base / MB,
        "rss_mb": process.memory_info().rss / MB,
    }


def main() -> int:
    print(json.dumps(probe([Path(arg) for arg in sys.argv[1:]])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
