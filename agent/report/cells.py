"""How a report value reads in a cell, the same in the terminal, CSV and HTML."""

from __future__ import annotations

from datetime import datetime


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def count(value: int | None) -> str:
    """``n/r`` (not recorded) where agents keep no such count, e.g. checks that warned."""
    return "n/r" if value is None else str(value)


def day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "–"
