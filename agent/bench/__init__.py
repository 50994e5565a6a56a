"""The performance suite behind ``postguard bench``.

Every number is measured on the current machine in one run: the engine against
generated phrase packs and two baselines (a regex alternation and a bare
Aho–Corasick scan), pack compile time and memory in fresh processes, and the
agent over loopback HTTP from a separate client process next to a bare aiohttp
endpoint. ``run_bench(config)`` returns a ``BenchReport``; ``render_table``
prints it.
"""

from agent.bench.config import BenchConfig
from agent.bench.models import BenchReport
from agent.bench.report import render_table
from agent.bench.runner import run_bench

__all__ = ["BenchConfig", "BenchReport", "render_table", "run_bench"]
