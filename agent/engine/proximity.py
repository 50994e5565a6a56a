"""Word distance between two spans of a post, within one sentence.

Built on first need in a check (most posts have no candidate finding, so most
checks never tokenise): the starts of the post's words and the positions of its
sentence ends, each a sorted list; a distance is then two bisections.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.engine.matchers.base import Hit

# Words as a reader counts them: "don't" and "co-worker's" are one word each... almost:
# a hyphen separates ("co-worker" is two), which only ever makes a window more generous.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A sentence ends at . ! ? (then a space or the end) or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")


class WordMap:
    __slots__ = ("_ends", "_starts")

    def __init__(self, text: str) -> None:
        self._starts = [m.start() for m in _WORD.finditer(text)]
        self._ends = [m.start() for m in _SENTENCE_END.finditer(text)]

    def _count(self, positions: list[int], lo: int, hi: int) -> int:
        return bisect_left(positions, hi) - bisect_left(positions, lo) if hi > lo else 0

    def gap(self, a: Hit, b: Hit) -> int | None:
        """Words strictly between ``a`` and ``b``; None when they overlap or a sentence ends."""
        if a.end <= b.start:
            lo, hi = a.end, b.start
        elif b.end <= a.start:
            lo, hi = b.end, a.start
        else:
            return None
        if self._count(self._ends, lo, hi):
            return None
        return self._count(self._starts, lo, hi)


@dataclass(frozen=True, slots=True)
class Window:
    """Where evidence must stand relative to a term: within ``words``, on ``side``."""

    words: int
    side: str  # before | after | either

    def nearest(self, target: Hit, candidates: list[Hit], words: WordMap) -> Hit | None:
        """The closest candidate inside the window, or None."""
        best: Hit | None = None
        best_gap = self.words + 1
        for other in candidates:
            if self.side == "before" and other.end > target.start:
                continue
            if self.side == "after" and other.start < target.end:
                continue
            gap = words.gap(target, other)
            if gap is not None and gap < best_gap:
                best, best_gap = other, gap
        return best
