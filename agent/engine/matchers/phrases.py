"""Phrase lists: one Aho–Corasick automaton per normalisation flavour, shared by all rules.

Every phrase set (a ``phrases`` rule, an exception list, a conditional's
trigger) gets a slot number; each normalised phrase leads to the slots that
list it.  A check walks each automaton once, whatever the number of rules.

For most posts the leet view and the text the regex pre-checks read
(:mod:`agent.engine.text_index`) are the folded text itself, so the folded
automaton also carries the leet keys and the pre-check keys: then one pass
over the text serves all three, and the other automata read only texts that
differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import ahocorasick

from agent.engine.anchors import ascii_spaces_as_space
from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import is_word_char, normalise_phrase
from agent.engine.text_index import TextKeys

FLAVOURS = ("folded", "cased", "leet")


# A phrase set that lists a key: its slot, and whether a hit must stand as a whole word.
_Entry = tuple[int, bool]
# The same in an automaton: plus whether the set is a leet one (read from the leet view).
_Listed = tuple[int, bool, bool]
# What a hit on a key needs: the key's length, whether its first and last characters are
# word characters (only those ends can run into a neighbouring word), who lists it, and
# the regex pre-check literal sets and anchor slots it serves (folded automaton only).
_KeyInfo = tuple[int, bool, bool, tuple[_Listed, ...], frozenset[int], tuple[int, ...]]
_NO_TEXT_KEY: tuple[frozenset[int], tuple[int, ...]] = (frozenset(), ())


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

    def freeze(self, text_keys: TextKeys | None = None) -> None:
        """Build the automata; ``text_keys`` are the regex pre-check keys to carry along."""
        text_keys = text_keys or {}
        # Keys of one list share their entries: convert each distinct entry list once.
        converted: dict[tuple[tuple[_Entry, ...], bool], tuple[_Listed, ...]] = {}

        def convert(entries: list[_Entry], leet: bool) -> tuple[_Listed, ...]:
            key = (tuple(entries), leet)
            found = converted.get(key)
            if found is None:
                found = converted[key] = tuple((slot, whole, leet) for slot, whole in entries)
            return found

        tables: dict[str, dict[str, tuple[_Listed, ...]]] = {
            flavour: {key: convert(entries, flavour == "leet") for key, entries in table.items()}
            for flavour, table in self._pending.items()
        }
        folded = tables["folded"]
        for key, leet_listed in tables["leet"].items():
            folded[key] = (*folded.get(key, ()), *leet_listed)
        for key in text_keys:
            folded.setdefault(key, ())
        interned: dict[_KeyInfo, int] = {}
        for flavour, table in tables.items():
            if not table:
                continue
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for key, listed in table.items():
                literal_slots, anchor_slots = (
                    text_keys.get(key, _NO_TEXT_KEY) if flavour == "folded" else _NO_TEXT_KEY
                )
                info = (
                    len(key),
                    is_word_char(key[0]),
                    is_word_char(key[-1]),
                    listed,
                    literal_slots,
                    anchor_slots,
                )
                automaton.add_word(key, interned.setdefault(info, len(interned)))
            automaton.make_automaton()
            self._automata[flavour] = automaton
        self._infos = list(interned)  # insertion order: position == stored integer
        self._pending = {f: {} for f in FLAVOURS}

    def scan(self, scan: Scan) -> None:
        """Add every phrase hit of ``scan``'s text to its slot (and pre-check hits, if shared)."""
        infos = self._infos
        slots = scan.slots
        views = scan.views
        # The leet view is computed only when a leet rule exists; usually it is the folded one.
        leet_shared = "leet" not in self._automata or views.leet is views.folded
        for flavour, automaton in self._automata.items():
            if flavour == "leet" and leet_shared:
                continue  # the folded pass found the leet keys
            view = views.view(flavour)
            # A line break or tab inside a phrase reads as a space: a phrase wrapped over
            # two lines is still the phrase, and the pre-checks read the text that way,
            # so for most posts this is the very text they need and one pass serves both.
            text = ascii_spaces_as_space(view.text)
            size = len(text)
            shared, anchored = scan.share_text_pass(text) if flavour == "folded" else (None, False)
            leet_too = flavour == "leet" or leet_shared
            for last, index in automaton.iter(text):
                length, needs_start, needs_end, entries, literal_slots, anchor_slots = infos[index]
                start, end = last - length + 1, last + 1
                if shared is not None:
                    if literal_slots:
                        shared.literals |= literal_slots
                    if anchored:
                        for anchor in anchor_slots:
                            shared.starts.setdefault(anchor, []).append(start)
                if not entries:
                    continue
                bounded = not (
                    (needs_start and start > 0 and is_word_char(text[start - 1]))
                    or (needs_end and end < size and is_word_char(text[end]))
                )
                original: tuple[int, int] | None = None
                for slot, whole_word, leet in entries:
                    if (whole_word and not bounded) or (leet and not leet_too):
                        continue
                    if original is None:
                        original = view.original_span(start, end)
                    slots.setdefault(slot, []).append(
                        Hit(original[0], original[1], f'phrase "{text[start:end]}"')
                    )
            if shared is not None:
                shared.sort()


@dataclass(frozen=True, slots=True)
class PhrasesMatcher:
    slot: int
    kind: ClassVar[str] = "phrases"
    required_literals: ClassVar[frozenset[int]] = frozenset()

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
