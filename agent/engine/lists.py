"""Compile named word lists into automaton slots, once per list, shared by every rule.

A list's own terms get one slot in the phrase index; a clause that names
``$insult`` reads the slots of ``insult`` and of every list it includes, so a
list used by ten rules is in the automaton once and a finding's explanation
names the innermost list that matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from agent.engine.matchers.phrases import PhraseIndex
from agent.engine.matchers.word_index import WordIndex, framed_only, word_key
from agent.engine.matchers.words import Clause
from agent.engine.terms import TermKind, compose, parse_term, phrase_refs
from agent.engine.token_classes import TokenClasses
from agent.engine.wordforms import surface_forms

INLINE = ""  # the label of a rule's own terms in explanations
_LEET_DIGITS = frozenset("0134579")


class ListCompiler:
    """Built at compile time: ``clause(terms)`` gives the slots a set of terms reads."""

    def __init__(
        self, lists: Mapping[str, Sequence[str]], phrases: PhraseIndex, words: WordIndex
    ) -> None:
        self._lists = lists
        self._phrases = phrases
        self._words = words
        self._slots: dict[str, int] = {}
        self._classes: dict[str, list[int]] = {}
        self._inline: dict[tuple[str, ...], int] = {}

    def clause(self, terms: Iterable[str]) -> Clause:
        own: list[str] = []
        names: list[str] = []
        for raw in terms:
            term = parse_term(raw)
            if term.kind is TermKind.LIST:
                names.extend(self.closure(term.value))
            else:
                own.append(raw)
        slots: list[tuple[int, str]] = []
        if own:
            key = tuple(own)
            if key not in self._inline:
                self._inline[key] = self._compile(own)
            slots.append((self._inline[key], INLINE))
        for name in dict.fromkeys(names):
            slots.append((self._slot(name), name))
        return Clause(tuple(slots))

    def closure(self, name: str) -> list[str]:
        """``name`` and every list it includes, each once (the loader refused cycles)."""
        seen: dict[str, None] = {}
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen[current] = None
            for raw in self._lists[current]:
                term = parse_term(raw)
                if term.kind is TermKind.LIST:
                    pending.append(term.value)
        return list(seen)

    def token_classes(self) -> TokenClasses:
        return TokenClasses(tuple((name, tuple(slots)) for name, slots in self._classes.items()))

    def _slot(self, name: str) -> int:
        if name not in self._slots:
            own = [t for t in self._lists[name] if parse_term(t).kind is not TermKind.LIST]
            self._slots[name] = self._compile(own)
        return self._slots[name]

    def _compile(self, raws: Sequence[str]) -> int:
        slot = self._phrases.new_slot()  # one numbering for every slot a check fills
        for raw in raws:
            term = parse_term(raw)
            if term.kind is TermKind.CLASS:
                self._classes.setdefault(term.value, []).append(slot)
            elif term.kind is not TermKind.PREFIX and phrase_refs(term.value):
                # "=$origin $people_noun": the loader checked the product, so it is written out
                for text in compose(term.value, self._lists):
                    self._add(text, term.kind, slot)
            else:
                self._add(term.value, term.kind, slot)
        return slot

    def _add(self, value: str, kind: TermKind, slot: int) -> None:
        phrases, words = self._phrases, self._words
        prefix = kind is TermKind.PREFIX
        inflect = kind is TermKind.WORDS
        if _LEET_DIGITS.intersection(value):
            # "q4", "h1", "v3": digits meant as digits. Read as leetspeak they would
            # be "qa", "hi", "ve" and match everyday words, so they stay literal.
            forms = [value] if prefix else surface_forms(value, inflect=inflect)
            phrases.add(forms, flavour="folded", whole_word=True, slot=slot)
        elif framed_only(value):
            # normalised once, then inflected: the forms need no normalising of their own
            key = word_key(value)
            words.add([key] if prefix else surface_forms(key, inflect=inflect), slot, prefix=prefix)
        else:
            forms = [value] if prefix else surface_forms(value, inflect=inflect)
            # "#ad", "$tsla": punctuation at an end is part of the term, so these are
            # read from the folded text with a boundary test (rare, few matches).
            phrases.add(forms, flavour="leet", whole_word=True, slot=slot)
