"""How a report value reads in a cell: the same in the terminal, CSV and HTML, and harmless."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Final


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def count(value: int | None) -> str:
    """``n/r`` (not recorded) where agents keep no such count, e.g. checks that warned."""
    return "n/r" if value is None else str(value)


def day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "–"


def minute(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "–"


def yes_no(value: bool | None) -> str:
    return "–" if value is None else ("yes" if value else "no")


# What a terminal or a spreadsheet acts on rather than shows: control characters (ESC and
# the C1 CSI start escape sequences, BEL rings, CR rewrites the line), format characters
# (bidirectional overrides reorder what is shown), line and paragraph separators, and lone
# surrogates.  Employees type the justifications and comments IT reads here.
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
# (tab and CR too: some strip them and read on); the full-width forms are read the same.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def visible(text: str) -> str:
    """``text`` with every control or format character shown as an escape (``\\x1b``)."""
    if text.isprintable():  # the common case, and isprintable() is stricter than needed
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in _HIDDEN else ch for ch in text)


def spreadsheet_text(text: str) -> str:
    """A CSV cell a spreadsheet shows as text: never a formula, never a control character.

    The leading apostrophe is what OWASP recommends: spreadsheets hide it and show the rest.
    """
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return visible(text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
