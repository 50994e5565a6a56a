"""One Aho–Corasick pass over the folded text that serves both regex pre-checks.

Pattern rules register, at load, the literal sets every match must contain
(:mod:`agent.engine.prefilter`) and the prefixes every match starts with
(:mod:`agent.engine.anchors`).  A check reads the text once and learns which
literal sets occur and where each anchored regex may start: one pass, since
walking a few thousand wide characters costs more than the hits it reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ahocorasick


@dataclass(slots=True)
class TextHits:
    literals: set[int] = field(default_factory=set)  # literal sets that occur
    starts: dict[int, list[int]] = field(default_factory=dict)  # anchor slot → ascending starts


class TextIndex:
    """Built at load, read-only afterwards."""

    def __init__(self) -> None:
        self._literal_slots: dict[frozenset[str], int] = {}
        self._literals: dict[str, set[int]] = {}
        self._anchor_count = 0
        self._prefixes: dict[str, list[int]] = {}
        self._automaton: Any = None

    def add_literals(self, literals: frozenset[str]) -> int:
        """A slot for "one of ``literals`` occurs"; equal sets share a slot."""
        slot = self._literal_slots.get(literals)
        if slot is None:
            slot = self._literal_slots[literals] = len(self._literal_slots) + 1
            for literal in literals:
                self._literals.setdefault(literal, set()).add(slot)
        return slot

    def add_prefixes(self, prefixes: frozenset[str]) -> int:
        """A slot whose starts are the positions where one of ``prefixes`` begins."""
        self._anchor_count += 1
        for prefix in prefixes:
            self._prefixes.setdefault(prefix, []).append(self._anchor_count)
        return self._anchor_count

    def freeze(self) -> None:
        words = self._literals.keys() | self._prefixes.keys()
        if words:
            automaton = ahocorasick.Automaton()
            for word in words:
                # (length, literal sets it belongs to, anchored regexes it starts):
                # a plain tuple, unpacked in the check loop faster than attributes
                key = (
                    len(word),
                    frozenset(self._literals.get(word, ())),
                    tuple(self._prefixes.get(word, ())),
                )
                automaton.add_word(word, key)
            automaton.make_automaton()
            self._automaton = automaton
        self._literals, self._prefixes = {}, {}

    def scan(self, folded: str, *, anchored: bool = True) -> TextHits:
        """What occurs in ``folded`` (:func:`agent.engine.anchors.fold_for_anchors`)."""
        hits = TextHits()
        if self._automaton is None:
            return hits
        literals, found = hits.literals, hits.starts
        for end, (length, literal_slots, anchor_slots) in self._automaton.iter(folded):
            if literal_slots:
                literals |= literal_slots
            if anchored and anchor_slots:
                start = end - length + 1
                for slot in anchor_slots:
                    positions = found.get(slot)
                    if positions is None:
                        found[slot] = [start]
                    else:
                        positions.append(start)
        for positions in found.values():
            positions.sort()  # hits arrive by end position; prefixes differ in length
        return hits
