"""Token classes: list members that cannot be enumerated (every @handle, every amount).

Each class is one small regex over the cased view, run only when a post holds
the character it needs (an ``@`` for a mention, a digit for a number), so a post
without any costs a few ``in`` tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.engine.matchers.base import Hit, Scan

_CLASSES: dict[str, tuple[str, re.Pattern[str]]] = {
    # (a character every member contains, the regex)
    "mention": ("@", re.compile(r"(?<![\w@.])@[A-Za-z0-9_]{1,30}\b")),
    "hashtag": ("#", re.compile(r"(?<![\w#&])#[^\W\d_][\w]{0,99}")),
    "number": ("", re.compile(r"(?<![\w.])\d{1,3}(?:[,.\s]\d{3})*(?:\.\d+)?(?![\w])|\b\d+\b")),
    "money": (
        "",
        re.compile(
            r"(?i)(?:[$€£¥]\s?\d[\d,.]*\s?(?:[kmb]n?|million|billion|thousand)?\b"
            r"|\b\d[\d,.]*\s?(?:[kmb]n?\s)?(?:million|billion|thousand)?\s?"
            r"(?:dollars|euros?|pounds|usd|eur|gbp|bucks)\b"
            r"|\b(?:usd|eur|gbp)\s?\d[\d,.]*(?:\s?[kmb]n?\b)?)"
        ),
    ),
    "percent": ("", re.compile(r"(?i)\b\d+(?:[.,]\d+)?\s?(?:%|percent\b|per\s?cent\b|pct\b)")),
    "url": ("", re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")),
    "email": ("@", re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b")),
}
_NEEDS_DIGIT = frozenset({"number", "money", "percent"})


@dataclass(frozen=True, slots=True)
class TokenClasses:
    """The classes a compiled set uses, and the list slots each one feeds."""

    slots: tuple[tuple[str, tuple[int, ...]], ...]

    def scan(self, scan: Scan) -> None:
        """Find a class's members only when a rule asks for a slot that lists the class."""
        if self.slots:
            # Several lists name one class (<number> in amounts, in ids, in dates): its
            # members are found once per check, whichever slot asks first.
            members: dict[str, list[Hit]] = {}
            scan.resolvers.append(lambda slot: self._hits(slot, scan, members))

    def _hits(self, slot: int, scan: Scan, members: dict[str, list[Hit]]) -> list[Hit]:
        hits: list[Hit] = []
        for name, slots in self.slots:
            if slot in slots:
                found = members.get(name)
                if found is None:
                    found = members[name] = _members(name, scan)
                hits.extend(found)
        return hits


def _members(name: str, scan: Scan) -> list[Hit]:
    needed, regex = _CLASSES[name]
    cased = scan.views.cased
    text = cased.text
    if needed and needed not in text:
        return []
    if name in _NEEDS_DIGIT and not scan.digits():
        return []
    if name == "url" and "http" not in text and "www." not in text.lower():
        return []
    hits: list[Hit] = []
    for found in regex.finditer(text):
        start, end = cased.original_span(*found.span())
        hits.append(Hit(start, end, f'<{name}> "{found.group()}"'))
    return hits
