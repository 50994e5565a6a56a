"""What every match of a regex must contain, so most pattern rules are skipped without running.

``requirement(regex)`` derives, from the parsed regex, necessary conditions on
any text the regex can match in:

- literal sets: every match contains at least one string of *each* set
  (lower-cased; ``women|men ... are|belong`` gives two sets, both needed);
- digits: every match holds at least this many digit characters (a card
  number needs 13, a phone number 8), so the rule is skipped on a text with
  fewer digits.

At check time one Aho–Corasick pass over the lower-cased text tells which
literal sets occur, and one count tells how many digits there are; only rules
whose requirement holds run their regex.  Necessary conditions only: a false
"maybe" costs time, never a miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

try:  # Python 3.11+ keeps the parser private
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse

MIN_LITERAL = 3
MAX_LITERALS = 64
MAX_SETS = 3  # the most selective literal sets kept per regex
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class Requirement:
    literal_sets: tuple[frozenset[str], ...] = ()
    digits: int = 0


def requirement(pattern: str) -> Requirement:
    need = _sequence(list(sre_parse.parse(pattern)))
    sets = sorted(set(filter(_selective, need.sets)), key=_rank)[:MAX_SETS]
    return Requirement(tuple(sets), need.digits)


def required_literals(pattern: str) -> frozenset[str] | None:
    """The most selective literal set of ``pattern``, or ``None``."""
    sets = requirement(pattern).literal_sets
    return sets[0] if sets else None


def count_digits(text: str) -> int:
    if text.isascii():
        return sum(map(text.count, _ASCII_DIGITS))
    return len(_DIGIT.findall(text))


def _selective(literals: frozenset[str]) -> bool:
    return (
        bool(literals) and min(map(len, literals)) >= MIN_LITERAL and len(literals) <= MAX_LITERALS
    )


def _rank(literals: frozenset[str]) -> tuple[int, int, tuple[str, ...]]:
    return (-min(map(len, literals)), len(literals), tuple(sorted(literals)))


@dataclass(slots=True)
class _Need:
    sets: list[frozenset[str]] = field(default_factory=list)  # all of them
    digits: int = 0

    def best(self) -> frozenset[str] | None:
        usable = [s for s in self.sets if _selective(s)]
        return min(usable, key=_rank) if usable else None


def _sequence(items: list[tuple[Any, Any]]) -> _Need:
    need = _Need()
    run: list[str] = []

    def flush() -> None:
        if run:
            need.sets.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op == sre_c.LITERAL:
            char = chr(av)
            need.digits += char.isdecimal()  # what \d matches
            if char.isascii():
                run.append(char.lower())
                continue
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero-width: the literal run goes on around it
        flush()
        if op == sre_c.IN:
            need.digits += _digits_only(av)
        elif op == sre_c.SUBPATTERN:
            _add(need, _sequence(list(av[-1])))
        elif op == sre_c.ATOMIC_GROUP:
            _add(need, _sequence(list(av)))
        elif op == sre_c.BRANCH:
            _add(need, _branch([_sequence(list(branch)) for branch in av[1]]))
        elif op in _REPEATS and av[0] >= 1:
            inner = _sequence(list(av[2]))
            inner.digits *= av[0]
            _add(need, inner)
    flush()
    return need


def _add(need: _Need, inner: _Need) -> None:
    need.sets.extend(inner.sets)
    need.digits += inner.digits


def _branch(options: list[_Need]) -> _Need:
    """Any one option matches: the union of each option's best set, the fewest digits."""
    merged = _Need(digits=min(o.digits for o in options))
    best = [o.best() for o in options]
    if all(b is not None for b in best):
        merged.sets.append(frozenset().union(*best))  # type: ignore[arg-type]
    return merged


def _digits_only(members: list[tuple[Any, Any]]) -> int:
    """1 if a character class can only match digits, else 0."""
    for op, av in members:
        if op == sre_c.LITERAL and chr(av).isdecimal():
            continue
        if op == sre_c.RANGE and all(chr(c).isdecimal() for c in range(av[0], av[1] + 1)):
            continue
        if op == sre_c.CATEGORY and av == sre_c.CATEGORY_DIGIT:
            continue
        return 0
    return 1 if members else 0


class LiteralIndex:
    """One automaton over every pattern rule's literal sets; built at load."""

    def __init__(self) -> None:
        self._words: dict[str, set[int]] = {}
        self._slots: dict[frozenset[str], int] = {}
        self._automaton: Any = None

    def add(self, literals: frozenset[str]) -> int:
        slot = self._slots.get(literals)
        if slot is None:
            slot = self._slots[literals] = len(self._slots) + 1
            for literal in literals:
                self._words.setdefault(literal, set()).add(slot)
        return slot

    def freeze(self) -> None:
        if self._words:
            automaton = ahocorasick.Automaton()
            for word, slots in self._words.items():
                automaton.add_word(word, frozenset(slots))
            automaton.make_automaton()
            self._automaton = automaton
        self._words = {}

    def present(self, lowered: str) -> set[int]:
        """Slots whose literals occur in ``lowered`` (the lower-cased cased view)."""
        if self._automaton is None:
            return set()
        present: set[int] = set()
        for _, slots in self._automaton.iter(lowered):
            present |= slots
        return present
