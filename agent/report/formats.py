"""The report's output formats, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from agent.report.model import Report
from agent.report.render_html import render_html
from agent.report.render_text import render_csv, render_json, render_table

FORMATS: Final[dict[str, Callable[[Report], str]]] = {
    "table": render_table,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
