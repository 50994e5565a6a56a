"""Building the command line stays cheap: each command loads its own dependencies when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agent.bench.config import SECTIONS
from agent.cli import bench, check, pack_init, report
from agent.engine.result import Platform
from agent.report.formats import FORMATS
from agent.templates.skeleton import Industry

# What no command needs just to parse its arguments; `serve` never needs the last four.
HEAVY = ("aiohttp", "pydantic", "yaml", "cryptography", "agent.engine.engine", "agent.bench.runner")
NOT_FOR_SERVE = ("cryptography", "agent.bench", "agent.report", "agent.collector")


def test_spelled_out_choices_match_their_sources() -> None:
    assert tuple(p.value for p in Platform) == check.PLATFORMS
    assert tuple(i.value for i in Industry) == pack_init.INDUSTRIES
    assert tuple(sorted(FORMATS)) == report.FORMAT_NAMES
    assert bench.SECTIONS == SECTIONS


def loaded_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return set(json.loads(done.stdout))


def loaded_any(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.mark.slow
def test_building_the_parser_loads_no_heavy_dependency() -> None:
    modules = loaded_after("from agent.cli import build_parser\nbuild_parser()")
    assert loaded_any(modules, HEAVY) == []


@pytest.mark.slow
def test_the_agent_loads_neither_publishing_nor_reports_when_sync_is_off() -> None:
    modules = loaded_after(
        "from agent.cli import build_parser\n"
        "build_parser()\n"
        "from agent.app import create_app\n"
        "from agent.api.server import serve\n"
        "import agent.sync.plugin, agent.events.upload_plugin"
    )
    assert "aiohttp" in modules  # the probe does load what serving needs
    assert loaded_any(modules, NOT_FOR_SERVE) == []


@pytest.mark.slow
def test_the_engine_imports_nothing_of_the_packs() -> None:
    """Packs compile into the engine; a compiled engine (the start-up cache) needs no pack code."""
    modules = loaded_after(
        "import importlib, pkgutil, agent.engine\n"
        "for m in pkgutil.walk_packages(agent.engine.__path__, 'agent.engine.'):\n"
        "    importlib.import_module(m.name)"
    )
    assert {"agent.engine.engine", "agent.engine.matchers.words"} <= modules
    assert loaded_any(modules, ("agent.packs", "yaml")) == []
