"""Phrase lists: one Aho–Corasick automaton per normalisation flavour, shared by all rules.

Every phrase set (a ``phrases`` rule, an exception list, a conditional's
trigger) gets a slot number; each normalised phrase leads to the slots that
list it.  A check walks each automaton once, whatever the
number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import ahocorasick

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import is_word_char, normalise_phrase

FLAVOURS = ("folded", "cased", "leet")


# A phrase set that lists a key: its slot, and whether a hit must stand as a whole word.
_Entry = tuple[int, bool]
# What a hit on a key needs: the key's length, whether its first and last characters are
# word characters (only those ends can run into a neighbouring word), and who lists it.
_KeyInfo = tuple[int, bool, bool, tuple[_Entry, ...]]


class PhraseIndex:
    """Built at load (``add`` then ``freeze``); read-only afterwards, so thread-safe.

    The automata store a plain integer per key, an index into ``_infos``: the
    engine is pickled to the start-up cache, and unpickling one Python object
    per key cost more than the rest of the engine together.  Keys that need the
    same handling share one interned ``_KeyInfo``, so a list of 100,000 phrases
    of one rule leaves a few dozen of them (one per key length and word-edge shape).
    """

    def __init__(self) -> None:
        self._pending: dict[str, dict[str, list[_Entry]]] = {f: {} for f in FLAVOURS}
        self._automata: dict[str, ahocorasick.Automaton] = {}
        self._infos: list[_KeyInfo] = []
        self._next_slot = 0

    def new_slot(self) -> int:
        self._next_slot += 1
        return self._next_slot

    def add(self, phrases: list[str], *, flavour: str, whole_word: bool, slot: int) -> None:
        table = self._pending[flavour]
        entry = (slot, whole_word)
        for phrase in phrases:
            key = normalise_phrase(phrase, flavour)
            if key:
                entries = table.setdefault(key, [])
                if entry not in entries:
                    entries.append(entry)

    def freeze(self) -> None:
        interned: dict[_KeyInfo, int] = {}
        for flavour, table in self._pending.items():
            if not table:
                continue
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for key, entries in table.items():
                info = (len(key), is_word_char(key[0]), is_word_char(key[-1]), tuple(entries))
                automaton.add_word(key, interned.setdefault(info, len(interned)))
            automaton.make_automaton()
            self._automata[flavour] = automaton
        self._infos = list(interned)  # insertion order: position == stored integer
        self._pending = {f: {} for f in FLAVOURS}

    def scan(self, scan: Scan) -> None:
        """Add every phrase hit of ``scan``'s text to its slot."""
        infos = self._infos
        slots = scan.slots
        for flavour, automaton in self._automata.items():
            view = scan.views.view(flavour)
            text = view.text
            size = len(text)
            for last, index in automaton.iter(text):
                length, needs_start, needs_end, entries = infos[index]
                start, end = last - length + 1, last + 1
                bounded = not (
                    (needs_start and start > 0 and is_word_char(text[start - 1]))
                    or (needs_end and end < size and is_word_char(text[end]))
                )
                original: tuple[int, int] | None = None
                for slot, whole_word in entries:
                    if whole_word and not bounded:
                        continue
                    if original is None:
                        original = view.original_span(start, end)
                    slots.setdefault(slot, []).append(
                        Hit(original[0], original[1], f'phrase "{text[start:end]}"')
                    )


@dataclass(frozen=True, slots=True)
class PhrasesMatcher:
    slot: int
    kind: ClassVar[str] = "phrases"

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
