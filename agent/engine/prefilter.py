"""What every match of a regex must contain, so most pattern rules are skipped without running.

``requirement(regex)`` derives, from the parsed regex, necessary conditions on
any text the regex can match in:

- literal sets: every match contains at least one string of *each* set
  (lower-cased; ``women|men ... are|belong`` gives two sets, both needed);
- digits: every match holds at least this many digit characters (a card
  number needs 13, a phone number 8), so the rule is skipped on a text with
  fewer digits;
- marks: ASCII punctuation every match holds (an email address needs ``@``),
  looked up with ``in``: a single character is too common a string for the
  automaton, yet ``@`` alone rules out most posts.

At check time one Aho–Corasick pass over the folded text
(:mod:`agent.engine.text_index`) tells which literal sets occur, and one
count tells how many digits there are; only rules whose requirement holds run
their regex.  The text is folded as for anchoring
(:func:`agent.engine.anchors.fold_for_anchors`): lower-cased, whitespace as a
space, digits as ASCII digits.  A literal run followed by items whose every
match starts with a known prefix extends into them: ``\\.(?:corp|lan)`` (which
the parser turns into ``.`` then ``corp|lan``) requires ``.corp`` or ``.lan``.
Necessary conditions only: a false "maybe" costs time, never a miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.engine.anchors import sequence_prefixes
from agent.engine.sre import sre_c, sre_parse
from agent.engine.widechars import non_ascii

MIN_LITERAL = 3
MAX_LITERALS = 64
MAX_SETS = 3  # the most selective literal sets kept per regex
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_ASCII_DIGITS = "0123456789"
_ASCII_DIGIT_BYTES = [digit.encode() for digit in _ASCII_DIGITS]


@dataclass(frozen=True, slots=True)
class Requirement:
    literal_sets: tuple[frozenset[str], ...] = ()
    digits: int = 0
    marks: frozenset[str] = frozenset()


def requirement(pattern: str) -> Requirement:
    need = _sequence(list(sre_parse.parse(pattern)))
    sets = sorted(set(filter(_selective, need.sets)), key=_rank)[:MAX_SETS]
    return Requirement(tuple(sets), need.digits, frozenset(need.marks))


def required_literals(pattern: str) -> frozenset[str] | None:
    """The most selective literal set of ``pattern``, or ``None``."""
    sets = requirement(pattern).literal_sets
    return sets[0] if sets else None


def count_digits(text: str, wide: str | None = None) -> int:
    """How many characters of ``text`` ``\\d`` matches (``wide``: its non-ASCII ones, if known)."""
    if text.isascii():
        return sum(map(text.count, _ASCII_DIGITS))
    # Counting bytes and the few wide characters beats a regex over a wide string.
    utf8 = text.encode("utf-8", "surrogatepass")
    others = non_ascii(text) if wide is None else wide
    return sum(map(utf8.count, _ASCII_DIGIT_BYTES)) + sum(map(str.isdecimal, others))


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
    marks: set[str] = field(default_factory=set)

    def best(self) -> frozenset[str] | None:
        usable = [s for s in self.sets if _selective(s)]
        return min(usable, key=_rank) if usable else None


def _sequence(items: list[tuple[Any, Any]]) -> _Need:
    need = _Need()
    run: list[str] = []

    def flush(rest: list[tuple[Any, Any]]) -> None:
        if run:
            literal = "".join(run)
            need.sets.append(frozenset([literal]))
            following = sequence_prefixes(rest) if rest else None
            if following is not None:
                need.sets.append(frozenset(literal + prefix for prefix in following))
            run.clear()

    for index, (op, av) in enumerate(items):
        if op == sre_c.LITERAL:
            char = chr(av)
            need.digits += char.isdecimal()  # what \d matches
            if _is_mark(char):
                need.marks.add(char)
            if char.isascii():
                run.append(" " if char.isspace() else char.lower())
                continue
        if op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero-width: the literal run goes on around it
        flush(items[index:])
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
    flush([])
    return need


def _is_mark(char: str) -> bool:
    """ASCII punctuation: no case, and no other character matches it."""
    return char.isascii() and char.isprintable() and not (char.isalnum() or char.isspace())


def _add(need: _Need, inner: _Need) -> None:
    need.sets.extend(inner.sets)
    need.digits += inner.digits
    need.marks |= inner.marks


def _branch(options: list[_Need]) -> _Need:
    """Any one option matches: the union of each option's best set, the fewest digits."""
    merged = _Need(digits=min(o.digits for o in options))
    merged.marks = set.intersection(*(o.marks for o in options))
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
