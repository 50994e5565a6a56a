"""Required literals of a regex, so most pattern rules can be skipped without running them.

``required_literals(regex)`` returns strings such that every match of the
regex contains at least one of them (lower-cased), or ``None`` when no
selective set exists.  At check time one Aho–Corasick pass over the
lower-cased text tells which rules can possibly match; only those run their
regex.  A necessary condition only: a false "maybe" costs time, never a miss.
"""

from __future__ import annotations

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
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}


def required_literals(pattern: str) -> frozenset[str] | None:
    found = _sequence(list(sre_parse.parse(pattern)))
    if found is None or min(map(len, found)) < MIN_LITERAL or len(found) > MAX_LITERALS:
        return None
    return found


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best
        if run:
            best = _better(best, frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op == sre_c.LITERAL and chr(av).isascii():
            run.append(chr(av).lower())
            continue
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero-width: the literal run goes on around it
        flush()
        if op == sre_c.SUBPATTERN:
            best = _better(best, _sequence(list(av[-1])))
        elif op == sre_c.BRANCH:
            options = [_sequence(list(branch)) for branch in av[1]]
            if all(o is not None for o in options):
                best = _better(best, frozenset().union(*options))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            best = _better(best, _sequence(list(av[2])))
        elif op == sre_c.ATOMIC_GROUP:
            best = _better(best, _sequence(list(av)))
    flush()
    return best


class LiteralIndex:
    """One automaton over every pattern rule's required literals; built at load."""

    def __init__(self) -> None:
        self._words: dict[str, set[int]] = {}
        self._automaton: Any = None
        self._next = 0

    def add(self, literals: frozenset[str]) -> int:
        self._next += 1
        for literal in literals:
            self._words.setdefault(literal, set()).add(self._next)
        return self._next

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
