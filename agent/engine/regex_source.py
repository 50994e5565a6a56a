"""A parsed regex written back as source text, so a part of a regex can be compiled alone.

:mod:`agent.engine.regex_parts` rewrites a pack regex at the level of its parse tree
(Python's ``re`` parser, as the other load-time analyses read it) and needs each
rewritten piece as a pattern the ``regex`` module compiles.  :func:`source` writes
one that means the same to both parsers: every character that is not an ASCII
letter, digit or underscore is written as a ``\\x``/``\\u``/``\\U`` escape (so no
character is read as syntax, and verbose mode has nothing left to strip), every
group and repeat is bracketed, and the flags are spelled out.

Groups are numbered afresh in the order they are written, and back-references follow
their group; a reference to a group the piece left out raises :class:`Unwritable`.
"""

from __future__ import annotations

from typing import Any

from agent.engine.sre import sre_c, sre_parse

_AT = {
    sre_c.AT_BEGINNING: "^",
    sre_c.AT_BEGINNING_STRING: r"\A",
    sre_c.AT_END: "$",
    sre_c.AT_END_STRING: r"\Z",
    sre_c.AT_BOUNDARY: r"\b",
    sre_c.AT_NON_BOUNDARY: r"\B",
}
_CATEGORY = {
    sre_c.CATEGORY_DIGIT: r"\d",
    sre_c.CATEGORY_NOT_DIGIT: r"\D",
    sre_c.CATEGORY_SPACE: r"\s",
    sre_c.CATEGORY_NOT_SPACE: r"\S",
    sre_c.CATEGORY_WORD: r"\w",
    sre_c.CATEGORY_NOT_WORD: r"\W",
}
# Inline flag letters; verbose mode is left out, since nothing written needs it.
_FLAGS = (
    (sre_c.SRE_FLAG_IGNORECASE, "i"),
    (sre_c.SRE_FLAG_MULTILINE, "m"),
    (sre_c.SRE_FLAG_DOTALL, "s"),
    (sre_c.SRE_FLAG_ASCII, "a"),
)
_HANDLED_FLAGS = sum(flag for flag, _ in _FLAGS) | sre_c.SRE_FLAG_VERBOSE | sre_c.SRE_FLAG_UNICODE
_REPEAT_SUFFIX = {sre_c.MAX_REPEAT: "", sre_c.MIN_REPEAT: "?", sre_c.POSSESSIVE_REPEAT: "+"}

Items = list[tuple[Any, Any]]


class Unwritable(Exception):
    """The parsed regex holds a construct :func:`source` does not write back."""


def source(items: Items, flags: int, names: dict[int, str]) -> str:
    """``items`` (a parsed sequence) as pattern text; ``flags``: the regex's global flags,
    ``names``: group number → name, for the named groups."""
    if flags & ~_HANDLED_FLAGS:
        raise Unwritable(f"flags {flags:#x}")
    letters = _letters(flags)
    return (f"(?{letters})" if letters else "") + _Writer(names).sequence(items)


def global_flags(parsed: Any) -> int:
    """The flags a parsed regex applies throughout (``(?x)`` at its start, say)."""
    return int(parsed.state.flags)


def group_names(parsed: Any) -> dict[int, str]:
    return {number: name for name, number in parsed.state.groupdict.items()}


def _letters(flags: int) -> str:
    return "".join(letter for flag, letter in _FLAGS if flags & flag)


def _char(code: int) -> str:
    char = chr(code)
    if char.isascii() and (char.isalnum() or char == "_"):
        return char
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


class _Writer:
    def __init__(self, names: dict[int, str]) -> None:
        self._names = names
        self._numbers: dict[int, int] = {}  # group number in the parse -> in the text written

    def _reference(self, group: int) -> str:
        if group not in self._numbers:
            raise Unwritable(f"reference to group {group}, which is not written before it")
        name = self._names.get(group)
        return f"(?P={name})" if name else f"(?:\\{self._numbers[group]})"

    def sequence(self, items: Items) -> str:
        return "".join(self._item(op, av) for op, av in items)

    def _group(self, items: Any) -> str:
        return f"(?:{self.sequence(list(items))})"

    def _item(self, op: Any, av: Any) -> str:
        if op == sre_c.LITERAL:
            return _char(av)
        if op == sre_c.NOT_LITERAL:
            return f"[^{_char(av)}]"
        if op == sre_c.ANY:
            return "."
        if op == sre_c.IN:
            return _class(av)
        if op == sre_c.AT and av in _AT:
            return _AT[av]
        if op == sre_c.BRANCH:
            return "(?:" + "|".join(self.sequence(list(branch)) for branch in av[1]) + ")"
        if op == sre_c.SUBPATTERN:
            return self._subpattern(*av)
        if op in _REPEAT_SUFFIX:
            least, most, body = av
            bound = f"{{{least},}}" if most == sre_c.MAXREPEAT else f"{{{least},{most}}}"
            return self._group(body) + bound + _REPEAT_SUFFIX[op]
        if op == sre_c.ATOMIC_GROUP:
            return f"(?>{self.sequence(list(av))})"
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            direction, body = av
            kind = ("<" if direction < 0 else "") + ("=" if op == sre_c.ASSERT else "!")
            return f"(?{kind}{self.sequence(list(body))})"
        if op == sre_c.GROUPREF:
            return self._reference(av)
        if op == sre_c.GROUPREF_EXISTS:
            group, yes, no = av
            self._reference(group)
            choice = self.sequence(list(yes)) + ("|" + self.sequence(list(no)) if no else "")
            return f"(?({self._numbers[group]}){choice})"
        raise Unwritable(str(op))

    def _subpattern(self, group: int | None, add: int, delete: int, body: Any) -> str:
        if (add | delete) & ~_HANDLED_FLAGS:
            raise Unwritable(f"flags {add:#x}/{delete:#x}")
        if group is not None:
            self._numbers[group] = len(self._numbers) + 1
        inner = self.sequence(list(body))
        on, off = _letters(add), _letters(delete)
        if on or off:
            inner = f"(?{on}{'-' + off if off else ''}:{inner})"
        if group is None:
            return inner if on or off else f"(?:{inner})"
        name = self._names.get(group)
        return f"(?P<{name}>{inner})" if name else f"({inner})"


def _class(members: Items) -> str:
    parts: list[str] = []
    negate = ""
    for op, av in members:
        if op == sre_c.NEGATE:
            negate = "^"
        elif op == sre_c.LITERAL:
            parts.append(_char(av))
        elif op == sre_c.RANGE:
            parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op == sre_c.CATEGORY and av in _CATEGORY:
            parts.append(_CATEGORY[av])
        else:
            raise Unwritable(str(op))
    return f"[{negate}{''.join(parts)}]"


def parse(pattern: str) -> Any:
    """``re``'s parse of ``pattern`` (a ``SubPattern``: ``.data`` items, ``.state`` flags)."""
    return sre_parse.parse(pattern)


def shape(value: Any, *, numbered: bool = True) -> Any:
    """A parse tree as plain nested tuples, for comparing two parses.

    ``numbered=False`` leaves group numbers out: a piece written alone numbers its
    groups afresh.
    """
    if isinstance(value, sre_parse.SubPattern):
        value = value.data
    if not isinstance(value, (list, tuple)):
        return value
    if not numbered and len(value) == 2 and any(value[0] is op for op in _NUMBERED):
        op, av = value
        if op == sre_c.GROUPREF:
            return (op, None)
        return (op, (None, *(shape(part, numbered=False) for part in av[1:])))
    return tuple(shape(item, numbered=numbered) for item in value)


_NUMBERED = (sre_c.SUBPATTERN, sre_c.GROUPREF, sre_c.GROUPREF_EXISTS)
