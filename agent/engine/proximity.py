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
# A sentence ends at . ! ? (then a space or the end) or at a line break; the dot of a
# title or a common abbreviation ("Mr. Weber", "e.g. this") does not end one.
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n")
_ABBREVIATION = re.compile(r"(?:^|\W)(?:mr|mrs|ms|dr|st|prof|vs|etc|e\.g|i\.e|inc)$", re.IGNORECASE)


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end (the offset of each end mark)."""
    ends: list[int] = []
    for found in _SENTENCE_END.finditer(text):
        start = found.start()
        if text[start] == "." and _ABBREVIATION.search(text, max(0, start - 6), start):
            continue
        ends.append(start)
    return ends


class WordMap:
    __slots__ = ("_ends", "_starts")

    def __init__(self, text: str) -> None:
        self._starts = [m.start() for m in _WORD.finditer(text)]
        self._ends = sentence_ends(text)

    def _count(self, positions: list[int], lo: int, hi: int) -> int:
        return bisect_left(positions, hi) - bisect_left(positions, lo) if hi > lo else 0

    def span_words(self, lo: int, hi: int) -> int:
        """Words that start in ``[lo, hi)``."""
        return self._count(self._starts, lo, hi)

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


# How far past the window a walk goes before giving up: a term spans at most this many
# words, so a candidate that starts further away cannot end inside the window.
_TERM_WORDS = 8


@dataclass(frozen=True, slots=True)
class Window:
    """Where evidence must stand relative to a term: within ``words``, on ``side``."""

    words: int
    side: str  # before | after | either

    def nearest(
        self, target: Hit, candidates: list[Hit], starts: list[int], words: WordMap
    ) -> Hit | None:
        """The closest candidate inside the window, or None.

        ``candidates`` are sorted by start and ``starts`` are their starts: the walk
        goes outwards from the target and stops at a sentence end or past the window,
        so a post full of common evidence words costs a few steps per candidate.
        """
        best: Hit | None = None
        best_gap = self.words + 1
        middle = bisect_left(starts, target.start)
        if self.side != "after":
            for index in range(middle - 1, -1, -1):
                other = candidates[index]
                if words.span_words(other.start, target.start) > self.words + _TERM_WORDS:
                    break
                gap = words.gap(target, other)
                if gap is not None and gap < best_gap and other.end <= target.start:
                    best, best_gap = other, gap
        if self.side != "before":
            for index in range(middle, len(candidates)):
                other = candidates[index]
                if words.span_words(target.end, other.start) > self.words:
                    break
                gap = words.gap(target, other)
                if gap is not None and gap < best_gap and other.start >= target.end:
                    best, best_gap = other, gap
        return best
