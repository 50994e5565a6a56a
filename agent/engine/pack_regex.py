"""Pack regexes: compiled with the ``regex`` module, every match call bounded in time.

A backtracking engine takes exponential time on the near misses of some
patterns (``(a|aa)+$`` on ``aaa…b``), and no static lint recognises every such
shape (``agent.packs.regex_safety`` refuses the ones we know, as advice to the
author).  The guarantee is a clock instead: each rule's regex work on one draft
has :data:`RULE_TIME_LIMIT_S`, and a check as a whole :data:`CHECK_TIME_LIMIT_S`;
the ``regex`` module stops a match that runs past its timeout.  A rule that runs
out of time is left out of that one check and named in the result
(``timed_out``), so a hostile or careless pack costs a bounded delay, never a
frozen agent.  ``regex`` also releases the GIL while it matches, so the agent
keeps answering other requests while a check runs in its thread pool.

The ``regex`` module reads Python's ``re`` syntax (its ``VERSION0``), so pack
authors write the regexes they know; the load-time analyses (``prefilter``,
``anchors``) still read the source with ``re``'s parser.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Final

import regex

RULE_TIME_LIMIT_S: Final = 0.25  # one rule, one draft: ordinary rules take well under 1 ms,
# so even a machine slowed a hundredfold by other work never cuts one short
CHECK_TIME_LIMIT_S: Final = 2.0  # all the regex work of one check together

Pattern = regex.Pattern
Match = regex.Match


class RegexTimeout(Exception):
    """A rule's regex ran out of its time on this draft."""


def compile_pack_regex(source: str) -> regex.Pattern[str]:
    """``source`` in Python's ``re`` syntax; raises ``regex.error`` when it is not valid."""
    return regex.compile(source, regex.VERSION0)


class Clock:
    """The time a rule has left: the earlier of its own limit and the check's deadline."""

    __slots__ = ("_until",)

    def __init__(self, check_deadline: float) -> None:
        self._until = min(time.monotonic() + RULE_TIME_LIMIT_S, check_deadline)

    def left(self) -> float:
        left = self._until - time.monotonic()
        if left <= 0:
            raise RegexTimeout
        return left

    def finditer(self, pattern: regex.Pattern[str], text: str) -> Iterator[regex.Match[str]]:
        try:
            yield from pattern.finditer(text, timeout=self.left(), concurrent=True)
        except TimeoutError:
            raise RegexTimeout from None

    def search(self, pattern: regex.Pattern[str], text: str, pos: int) -> regex.Match[str] | None:
        try:
            return pattern.search(text, pos, timeout=self.left(), concurrent=True)
        except TimeoutError:
            raise RegexTimeout from None

    def match(self, pattern: regex.Pattern[str], text: str, pos: int) -> regex.Match[str] | None:
        try:
            return pattern.match(text, pos, timeout=self.left(), concurrent=True)
        except TimeoutError:
            raise RegexTimeout from None
