"""Fixtures for the benchmark's smoke tests: one quick, in-process run shared by the module.

These tests check that the suite measures what it says and reports it in the right
shape; they never assert on timings, which depend on the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.bench import BenchConfig, BenchReport, run_bench
from agent.bench.workspace import Workspace, build_workspace

IN_PROCESS_SECTIONS = ("engine", "compile")


@pytest.fixture(scope="module")
def quick_config() -> BenchConfig:
    return BenchConfig.quick_config(IN_PROCESS_SECTIONS)


@pytest.fixture(scope="module")
def quick_report(quick_config: BenchConfig) -> BenchReport:
    return run_bench(quick_config)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, quick_config: BenchConfig) -> Workspace:
    root: Path = tmp_path_factory.mktemp("bench-workspace")
    return build_workspace(root, quick_config)
