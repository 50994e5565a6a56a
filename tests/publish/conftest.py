from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent.paths import BUNDLED_PACKS


@pytest.fixture
def packs(tmp_path: Path) -> list[Path]:
    """Copies of the real bundled packs, free to edit."""
    out = []
    for pack in BUNDLED_PACKS:
        target = tmp_path / "src" / pack.name
        shutil.copytree(pack, target)
        out.append(target)
    return out
