from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import POSTGUARD, Home


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    """A fresh machine for one walkthrough; every process it started is stopped after."""
    if not POSTGUARD.exists():
        pytest.fail(f"{POSTGUARD} is missing: install the project (pip install -e '.[test]')")
    machine = Home.create(tmp_path)
    try:
        yield machine
    finally:
        machine.stop_all()
