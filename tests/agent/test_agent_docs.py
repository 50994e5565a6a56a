"""docs/api.md describes the code: every route, every error code and its status."""

from __future__ import annotations

import re
from pathlib import Path

from agent.api.errors import STATUS, ErrorCode
from agent.api.routes import ROUTES
from agent.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_route_is_documented() -> None:
    text = (DOCS / "api.md").read_text()
    for method, path, _ in ROUTES:
        assert f"`{method} {path}`" in text, f"{method} {path} missing from docs/api.md"
    documented = set(re.findall(r"`(?:GET|POST) (/v1/[a-z]+)`", text))
    assert documented == {path for _, path, _ in ROUTES}


def test_every_error_code_is_documented_with_its_status() -> None:
    text = (DOCS / "api.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", text, flags=re.M))
    for code in ErrorCode:
        assert code.value in rows, f"error code {code.value} missing from docs/api.md"
        assert int(rows[code.value]) == STATUS[code], code.value
    assert set(rows) == {code.value for code in ErrorCode}


def test_every_setting_is_documented() -> None:
    text = (DOCS / "agent.md").read_text()
    for key in Settings.model_fields:
        assert f"`{key}`" in text, f"setting {key} missing from docs/agent.md"
