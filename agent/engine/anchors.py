"""Where a regex can start matching, so it is tried only there instead of at every position.

``anchor_prefixes(regex)`` derives, from the parsed regex, a set of literal
prefixes such that every match begins with one of them (lower-cased; looking
through ``\\b`` and other zero-width assertions, groups, inline flags,
alternation branches and optional leading items).  A regex that can start
with a wide class (``[a-z]``, ``\\w``, a dot), a back-reference or ``^``, or
match the empty string, has no such set and keeps the plain search.

At check time one Aho–Corasick pass over the folded text
(:mod:`agent.engine.text_index`) proposes, for every anchorable regex at once,
the positions where one of its prefixes occurs; the rule calls
``regex.match(text, pos)`` at those positions only.
``match`` with a position still sees the characters before it, so ``\\b``
and look-behinds behave as in a search; ``^`` does not, which is one reason
it is not anchorable.  The prefix index only proposes: a superset of the real
start positions is always correct, and the compiled regex decides.

Prefixes are compared with :func:`fold_for_anchors` of the text: lower-cased,
every whitespace character a space (so ``\\s`` is one prefix character, not
29), every decimal digit its ASCII digit (``\\d`` is ten, not 660), and every
character that Python's case-insensitive matching equates with an ASCII
letter (``K`` Kelvin sign, ``ſ``, ``ı``, ``İ``) that letter, so a
case-insensitive literal is found however the text spells it.  Prefix
characters are ASCII, whitespace, digits, typographic quotes and dashes
(which have no case), and the accented Latin letters whose only case twin is
their other case (``é``/``É``, ``ö``/``Ö``: :data:`LATIN_LETTERS`), so
``n(?:ú|u)mero`` is proposed where "número" or "numero" starts, not at every
"n"; a prefix stops at any other character.  Case-sensitive
literals are looked up case-insensitively too (more candidates, same
results).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agent.engine.sre import sre_c, sre_parse
from agent.engine.widechars import non_ascii

MAX_PREFIX = 8  # longer prefixes add automaton states, not selectivity
DENSE = 24  # more than one candidate start per this many characters: search instead
# (a timed match call costs about as much as letting one search read 24 characters)
MAX_PREFIXES = 256  # per regex; beyond it prefixes are shortened until they fit
MAX_CLASS = 10  # a class of at most this many characters (besides \s, \d) is expanded
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT}
_ZERO_WIDTH = {sre_c.ASSERT, sre_c.ASSERT_NOT}
_BOUNDARIES = {sre_c.AT_BOUNDARY, sre_c.AT_UNI_BOUNDARY, sre_c.AT_LOC_BOUNDARY}
_WORD_CATEGORIES = {sre_c.CATEGORY_WORD, sre_c.CATEGORY_UNI_WORD, sre_c.CATEGORY_LOC_WORD}
_DIGIT_CATEGORIES = {sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_UNI_DIGIT}
_LINE_STARTS = {sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING, sre_c.AT_BEGINNING_LINE}
# Non-ASCII characters that case-insensitive matching equates with an ASCII
# letter (``re.fullmatch("(?i)[\\x00-\\x7f]", c)``), checked by a test over every
# code point.  ``İ`` would otherwise lower-case to two characters.
_ASCII_TWINS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
# What ``\s`` matches (``str.isspace``) but the space itself; a test compares it
# with every code point.
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000"
)
# Characters without case that a prefix may hold as they are.
UNCASED = "\u2018\u2019\u201c\u201d\u2013\u2014"
# Letters of Latin-1 and Latin Extended-A that case-insensitive matching equates only
# with their other case, both one character: the folded text holds them lower-cased.
# A test checks every code point against them.
LATIN_LETTERS = frozenset(
    char
    for char in map(chr, range(0xC0, 0x180))
    if char.isalpha() and len(char.lower()) == len(char.upper()) == 1
).difference(_ASCII_TWINS)
_ASCII_SPACES = "".join(filter(str.isascii, SPACES))
_ASCII_FOLD = str.maketrans(dict.fromkeys(_ASCII_SPACES, " "))
_FOLD = {**dict.fromkeys(SPACES, " "), **_ASCII_TWINS}
_ODD = re.compile("[" + re.escape("".join(_FOLD)) + "]")
_WIDE_ODD = frozenset(_FOLD).difference(_ASCII_SPACES)
_CATEGORY_KEYS = {sre_c.CATEGORY_SPACE: " ", sre_c.CATEGORY_DIGIT: "0123456789"}
_WIDE_DIGIT = re.compile(r"[^\D0-9]")

# (prefix, open): ``open`` means the prefix is everything matched so far, so
# the items that follow may extend it; a closed prefix is final.
_Start = tuple[str, bool]
_ANYTHING: frozenset[_Start] = frozenset({("", False)})
_NOTHING_YET: frozenset[_Start] = frozenset({("", True)})


class _Unanchorable(Exception):
    """The regex holds a construct that ``match`` at a position treats unlike a search."""


def anchor_prefixes(pattern: str) -> frozenset[str] | None:
    """Lower-cased literals every match of ``pattern`` starts with, or ``None``."""
    return sequence_prefixes(list(sre_parse.parse(pattern)))


def sequence_prefixes(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The same for a parsed sequence of items (a part of a regex)."""
    try:
        starts = _sequence(items)
    except _Unanchorable:
        return None
    prefixes = {text for text, _ in starts}
    if "" in prefixes:
        return None  # a match can start with anything, or be empty
    return _minimal(prefixes)


@dataclass(frozen=True, slots=True)
class StartGuard:
    """Characters that can never stand right before a match's start.

    Most pattern rules open with ``\\b`` or a look-behind (``(?<![\\d-])``), and their
    prefixes ("1", "he", "f") occur far more often inside words and numbers ("2024",
    "the", "often") than where a match may start; such starts are dropped before any
    regex call (:meth:`keep`).  Each test is narrower than the regex's own class, so
    only starts the regex would refuse are dropped.
    """

    chars: frozenset[str] = frozenset()  # literal characters other than letters
    digits: bool = False  # decimal digits
    words: bool = False  # letters, decimal digits and the underscore
    boundary: bool = False  # ``\\b``: refused only when the start is a word character too

    def refuses(self, before: str, first: str) -> bool:
        if before in self.chars or (self.digits and before.isdecimal()):
            return True
        if _plainly_word(before):
            return self.words or (self.boundary and _plainly_word(first))
        return False

    def keep(self, starts: list[int], text: str) -> list[int]:
        """``starts`` without those the regex refuses for the character before them."""
        refuses = self.refuses
        return [at for at in starts if not (at and refuses(text[at - 1], text[at]))]


def start_guard(pattern: str) -> StartGuard | None:
    """What every match of ``pattern`` refuses right before its start, or ``None``."""
    return _guard(list(sre_parse.parse(pattern)))


def _guard(items: list[tuple[Any, Any]]) -> StartGuard | None:
    found: list[StartGuard] = []
    for op, av in items:
        if op == sre_c.AT and av in _BOUNDARIES:
            found.append(StartGuard(boundary=True))
        elif op == sre_c.ASSERT_NOT and av[0] == -1:
            behind = _class_guard(list(av[1]))
            if behind is not None:
                found.append(behind)
        elif op == sre_c.SUBPATTERN:
            inner = _guard(list(av[-1]))
            if inner is not None:
                found.append(inner)
            break
        elif op == sre_c.BRANCH:
            branches = [_guard(list(branch)) for branch in av[1]]
            if all(b is not None for b in branches):
                found.append(_common([b for b in branches if b is not None]))
            break
        elif op not in _ZERO_WIDTH:
            break  # a character is read: what follows guards a later position
    return _union(found) if found else None


def _class_guard(items: list[tuple[Any, Any]]) -> StartGuard | None:
    """The part of a one-class look-behind (``[\\w.+-]``) that :class:`StartGuard` tests."""
    if len(items) == 1 and items[0][0] == sre_c.LITERAL:
        items = [(sre_c.IN, [items[0]])]
    if len(items) != 1 or items[0][0] != sre_c.IN or (sre_c.NEGATE, None) in items[0][1]:
        return None
    chars: set[str] = set()
    digits = words = False
    for op, av in items[0][1]:
        if op == sre_c.LITERAL and not chr(av).isalpha():
            chars.add(chr(av))  # a letter could match its other case: left to the regex
        elif op == sre_c.CATEGORY and av in _WORD_CATEGORIES:
            words = True
        elif op == sre_c.CATEGORY and av in _DIGIT_CATEGORIES:
            digits = True
    return StartGuard(frozenset(chars), digits, words)


def _union(guards: list[StartGuard]) -> StartGuard:
    """Guards that all hold (one after another at the same position): any one refuses."""
    return StartGuard(
        frozenset().union(*(g.chars for g in guards)),
        any(g.digits for g in guards),
        any(g.words for g in guards),
        any(g.boundary for g in guards),
    )


def _common(guards: list[StartGuard]) -> StartGuard:
    """Guards of alternative branches: only what every branch refuses."""
    words = all(g.words for g in guards)
    return StartGuard(
        frozenset.intersection(*(g.chars for g in guards)),
        all(g.digits or g.words for g in guards),
        words,
        not words and all(g.words or g.boundary for g in guards),
    )


def _plainly_word(char: str) -> bool:
    """A word character for every regex engine's ``\\w`` (a subset of each)."""
    return char.isalpha() or char.isdecimal() or char == "_"


def fold_for_anchors(text: str, wide: str | None = None) -> str:
    """``text`` as the prefixes are compared with; callers check that the length held.

    ``wide``: the text's non-ASCII characters, when the caller has them already.
    """
    if text.isascii():
        return text.lower().translate(_ASCII_FOLD)  # str.translate's fast ASCII path
    # str.translate reads a wide string one dictionary lookup at a time; the odd
    # characters are few, so find them in C first.
    others = non_ascii(text) if wide is None else wide
    if _WIDE_ODD.isdisjoint(others):
        for space in _ASCII_SPACES:
            if space in text:
                text = text.replace(space, " ")
    else:
        text = _ODD.sub(lambda found: _FOLD[found.group()], text)
    folded = text.lower()
    if any(map(str.isdecimal, others)):
        folded = _WIDE_DIGIT.sub(lambda found: _digit(found.group()), folded)
    return folded


def ascii_spaces_as_space(text: str) -> str:
    """``text`` with its ASCII whitespace (line breaks, tabs) as spaces, as the prefixes read it."""
    for space in _ASCII_SPACES:
        if space in text:
            text = text.replace(space, " ")
    return text


def _digit(char: str) -> str:
    return str(unicodedata.decimal(char))


def _minimal(prefixes: set[str]) -> frozenset[str]:
    """Drop every prefix that extends another: the shorter one already proposes its positions."""
    kept: list[str] = []
    for prefix in sorted(prefixes):
        if not (kept and prefix.startswith(kept[-1])):
            kept.append(prefix)
    return frozenset(kept)


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[_Start]:
    state: frozenset[_Start] = _NOTHING_YET
    for item in items:
        if not any(is_open for _, is_open in state):
            break
        state = _extend(state, _item(*item))
    return state


def _extend(state: frozenset[_Start], following: frozenset[_Start]) -> frozenset[_Start]:
    grown: set[_Start] = {start for start in state if not start[1]}
    for head, is_open in state:
        if not is_open:
            continue
        for tail, tail_open in following:
            text = head + tail
            if len(text) > MAX_PREFIX:
                grown.add((text[:MAX_PREFIX], False))
            else:
                grown.add((text, tail_open))
    return _fit(grown)


def _fit(starts: set[_Start]) -> frozenset[_Start]:
    """Shorten prefixes (closing them) until at most ``MAX_PREFIXES`` remain."""
    length = MAX_PREFIX
    while len(starts) > MAX_PREFIXES and length > 1:
        length -= 1
        starts = {(t[:length], False) if len(t) > length else (t, o) for t, o in starts}
    return frozenset(starts)


def _item(op: Any, av: Any) -> frozenset[_Start]:
    if op == sre_c.LITERAL:
        return _chars([chr(av)])
    if op == sre_c.IN:
        return _chars(_class_members(av))
    if op == sre_c.AT:
        if av in _LINE_STARTS:
            raise _Unanchorable
        return _NOTHING_YET  # \b, \B, $: zero-width
    if op in _ZERO_WIDTH:
        return _NOTHING_YET
    if op == sre_c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op == sre_c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op == sre_c.BRANCH:
        return _fit(set().union(*(_sequence(list(branch)) for branch in av[1])))
    if op in _REPEATS:
        return _repeat(av[0], av[1], _sequence(list(av[2])))
    return _ANYTHING  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...


def _repeat(least: int, most: int, inner: frozenset[_Start]) -> frozenset[_Start]:
    if most != 1:
        # another iteration may follow, so what comes after cannot extend a prefix
        inner = frozenset((text, is_open and not text) for text, is_open in inner)
    if least == 0:
        inner |= _NOTHING_YET
    return inner


def _chars(chars: list[str] | None) -> frozenset[_Start]:
    keys = set(map(_key, chars or ()))
    if not keys or "" in keys:
        return _ANYTHING
    return frozenset((key, True) for key in keys)


def _key(char: str) -> str:
    """The folded text character every text character ``char`` matches becomes, or ""."""
    if char.isspace():
        return " "
    if char.isascii():
        return char.lower()
    if char.isdecimal():
        return _digit(char)
    if char in LATIN_LETTERS:
        return char.lower()
    return char if char in UNCASED else ""


def _class_members(members: list[tuple[Any, Any]]) -> list[str] | None:
    """The characters of a small class of plain characters, else ``None``."""
    chars: list[str] = []
    wide = ""  # what \s and \d add: the folded text's space and ASCII digits
    for op, av in members:
        if op == sre_c.LITERAL:
            chars.append(chr(av))
        elif op == sre_c.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.extend(map(chr, range(av[0], av[1] + 1)))
        elif op == sre_c.CATEGORY and av in _CATEGORY_KEYS:
            wide += _CATEGORY_KEYS[av]
        else:
            return None  # NEGATE, other categories, a wide range
    return chars + list(wide) if len(chars) <= MAX_CLASS else None


def worth_anchoring(starts: list[int], text: str) -> bool:
    """Whether trying ``starts`` one by one beats one search in C (a hostile text of
    ``a a a ...`` proposes a start every other character)."""
    return len(starts) * DENSE <= len(text)


def matches_at(match: Callable[[str, int], Any], text: str, starts: list[int]) -> Iterator[Any]:
    """What ``finditer(text)`` yields, trying ``match(text, pos)`` only at ``starts`` (ascending).

    Every match is non-empty (it begins with a prefix), so each search after a
    match resumes at its end, as ``finditer`` does.
    """
    end = 0
    for pos in starts:
        if pos < end:
            continue
        found = match(text, pos)
        if found is not None:
            yield found
            end = found.end()
