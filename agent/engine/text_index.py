"""One Aho–Corasick pass over the folded text that serves both regex pre-checks.

Pattern rules register, at load, the literal sets every match must contain
(:mod:`agent.engine.prefilter`) and the prefixes every match starts with
(:mod:`agent.engine.anchors`).  A check reads the text once and learns which
literal sets occur and where each anchored regex may start: one pass, since
walking a few thousand wide characters costs more than the hits it reports.

Usually that pass is the phrase pass: the text folded for anchors is, for most
posts, the very text the phrase automaton reads, so the phrase index carries
these keys too (handed over by :meth:`TextIndex.freeze`) and fills
:class:`TextHits` as it goes; this automaton reads the text only when the two differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

# key → (literal sets it belongs to, anchored regexes it starts)
TextKeys = Mapping[str, tuple[frozenset[int], tuple[int, ...]]]


@dataclass(slots=True)
class TextHits:
    literals: set[int] = field(default_factory=set)  # literal sets that occur
    starts: dict[int, list[int]] = field(default_factory=dict)  # anchor slot → ascending starts

    def sort(self) -> None:
        for positions in self.starts.values():
            positions.sort()  # hits arrive by end position; prefixes differ in length


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

    def freeze(self) -> TextKeys:
        """Build the automaton; returns each key with the literal sets and anchor slots it
        serves, for the phrase index to carry along."""
        words = self._literals.keys() | self._prefixes.keys()
        keys = {
            word: (frozenset(self._literals.get(word, ())), tuple(self._prefixes.get(word, ())))
            for word in words
        }
        if keys:
            automaton = ahocorasick.Automaton()
            for word, (literal_slots, anchor_slots) in keys.items():
                # (length, literal sets it belongs to, anchored regexes it starts):
                # a plain tuple, unpacked in the check loop faster than attributes
                automaton.add_word(word, (len(word), literal_slots, anchor_slots))
            automaton.make_automaton()
            self._automaton = automaton
        self._literals, self._prefixes = {}, {}
        return keys

    @property
    def empty(self) -> bool:
        """No pattern rule registered a literal or a prefix."""
        return self._automaton is None

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
        hits.sort()
        return hits
