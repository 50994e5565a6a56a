"""Python's regex parser, which the standard library keeps private from 3.11 on.

The engine reads parsed regexes at load to derive what every match must
contain and where it can start (``prefilter``, ``anchors``).
"""

from __future__ import annotations

try:
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10 and earlier
    import sre_constants as sre_c
    import sre_parse

__all__ = ["sre_c", "sre_parse"]
