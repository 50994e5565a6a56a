from __future__ import annotations

from pathlib import Path

import pytest
from report_support import sample_events, write_db


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    return write_db(tmp_path / "collector.sqlite3", sample_events())
