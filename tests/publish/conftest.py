from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY


@pytest.fixture
def packs(tmp_path: Path) -> list[Path]:
    """Copies of the bundled baseline and the example company layered on it, free to edit."""
    out = []
    for pack in (*BUNDLED_PACKS, EXAMPLE_COMPANY):
        target = tmp_path / "src" / pack.name
        shutil.copytree(pack, target)
        out.append(target)
    return out
