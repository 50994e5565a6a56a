"""Phrase lists: one Aho–Corasick automaton per normalisation flavour, shared by all rules.

Every phrase set (a ``phrases`` rule, an exception list, a conditional's
trigger) gets a slot number; the automaton's values map a normalised phrase
to the slots that list it.  A check walks each automaton once, whatever the
number of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import ahocorasick

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import is_word_char, normalise_phrase

FLAVOURS = ("folded", "cased", "leet")


@dataclass(frozen=True, slots=True)
class _Entry:
    slot: int
    whole_word: bool
    phrase: str


class PhraseIndex:
    """Built at load (``add`` then ``freeze``); read-only afterwards, so thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, dict[str, list[_Entry]]] = {f: {} for f in FLAVOURS}
        self._automata: dict[str, ahocorasick.Automaton] = {}
        self._next_slot = 0

    def new_slot(self) -> int:
        self._next_slot += 1
        return self._next_slot

    def add(self, phrases: list[str], *, flavour: str, whole_word: bool, slot: int) -> None:
        table = self._pending[flavour]
        for phrase in phrases:
            key = normalise_phrase(phrase, flavour)
            if key:
                entries = table.setdefault(key, [])
                entry = _Entry(slot, whole_word, phrase)
                if all(e.slot != slot or e.whole_word != whole_word for e in entries):
                    entries.append(entry)

    def freeze(self) -> None:
        for flavour, table in self._pending.items():
            if not table:
                continue
            automaton = ahocorasick.Automaton()
            for key, entries in table.items():
                needs_start = is_word_char(key[0])
                needs_end = is_word_char(key[-1])
                automaton.add_word(key, (len(key), needs_start, needs_end, tuple(entries)))
            automaton.make_automaton()
            self._automata[flavour] = automaton
        self._pending = {f: {} for f in FLAVOURS}

    def scan(self, scan: Scan) -> None:
        """Add every phrase hit of ``scan``'s text to its slot."""
        for flavour, automaton in self._automata.items():
            view = scan.views.view(flavour)
            text = view.text
            size = len(text)
            for last, (length, needs_start, needs_end, entries) in automaton.iter(text):
                start, end = last - length + 1, last + 1
                bounded = not (
                    (needs_start and start > 0 and is_word_char(text[start - 1]))
                    or (needs_end and end < size and is_word_char(text[end]))
                )
                original: tuple[int, int] | None = None
                for entry in entries:
                    if entry.whole_word and not bounded:
                        continue
                    if original is None:
                        original = view.original_span(start, end)
                    scan.slots.setdefault(entry.slot, []).append(
                        Hit(original[0], original[1], f'phrase "{text[start:end]}"')
                    )


@dataclass(frozen=True, slots=True)
class PhrasesMatcher:
    slot: int
    kind: ClassVar[str] = "phrases"

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
