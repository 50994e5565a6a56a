from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.engine import Engine
from agent.engine.result import CheckResult, Platform
from agent.packs.compile import compile_dirs
from tests.engine.packfiles import rule_yaml, write_pack

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

EngineFor = Callable[..., Engine]


@pytest.fixture
def engine_for(tmp_path: Path) -> EngineFor:
    """Compile a one-pack engine from rule bodies: ``engine_for(match_yaml, ...)``."""
    counter = iter(range(1000))

    def build(*bodies: str, **kwargs: str) -> Engine:
        rules = [rule_yaml(b, id=f"test.rule{i}", **kwargs) for i, b in enumerate(bodies)]
        return compile_dirs([write_pack(tmp_path / str(next(counter)), rules)])

    return build


def matched(result: CheckResult) -> list[str]:
    return [f.matched for f in result.findings]


def check(engine: Engine, text: str, platform: Platform = Platform.LINKEDIN) -> CheckResult:
    return engine.check(text, platform, NOW)


@pytest.fixture(scope="session")
def core_engine() -> Engine:
    return compile_dirs([FIXTURES / "core"])
