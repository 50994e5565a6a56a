"""Static checks that keep a pack's regular expressions fast on any input.

These are advice to the pack's author, caught at lint time; the guarantee that no
regex can stall a check is the time limit every match runs under
(``agent.engine.pack_regex``).

Python's ``re`` backtracks, so a quantified group whose body can split the
same characters in many ways — ``(a+)+``, ``(\\w+\\s?)*`` — takes exponential
time on a near-miss.  We refuse a repeated group when one of its
variable-length parts is not fenced off by a mandatory item that can never
match the same characters (``([\\w-]+\\.)+`` is fine: the dot ends each round).
"""

from __future__ import annotations

import re
from typing import Any

import regex

from agent.engine.pack_regex import compile_pack_regex

try:  # Python 3.11+ keeps the parser private
    from re import _constants as sre_c  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c
    import sre_parse

MAX_REGEX_CHARS = 2000
_BIG = 10  # a repeat bound above this counts as "many"
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT}
# Characters the char-set comparison is done over: ASCII plus a few of each class.
_SAMPLE = [chr(c) for c in range(128)] + list("éßÅжΩ٣\u00a0\u2003€😀")


class UnsafeRegex(ValueError):
    pass


def check_regex(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` or raise ``ValueError`` saying what is wrong with it."""
    if len(pattern) > MAX_REGEX_CHARS:
        raise ValueError(f"regex is {len(pattern)} characters; the limit is {MAX_REGEX_CHARS}")
    try:
        compiled = re.compile(pattern)
        compile_pack_regex(pattern)  # what checks run: the two must agree on the syntax
    except (re.error, regex.error) as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    except (RecursionError, OverflowError):
        raise ValueError("invalid regex: too complex") from None
    if compiled.fullmatch("") is not None or compiled.match("") is not None:
        raise ValueError("regex can match the empty string; every match must cover some text")
    tree = sre_parse.parse(pattern)
    _walk(list(tree), compiled.flags)
    return compiled


def _walk(items: list[tuple[Any, Any]], flags: int) -> None:
    for op, av in items:
        if op in _REPEATS:
            _, hi, body = av
            body_items = _flatten(list(body))
            if _is_many(hi) and _ambiguous(body_items, flags):
                raise UnsafeRegex(
                    "regex has a nested quantifier that can backtrack catastrophically"
                    " (like (a+)+ or (\\w+\\s?)*); fence each repetition with a separator"
                    " the inner part cannot match, or use a possessive/atomic group"
                )
            _walk(list(body), flags)
        elif op == sre_c.SUBPATTERN:
            _walk(list(av[-1]), flags)
        elif op == sre_c.BRANCH:
            for branch in av[1]:
                _walk(list(branch), flags)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            _walk(list(av[1]), flags)
        # atomic groups and possessive repeats never backtrack into themselves


def _is_many(hi: int) -> bool:
    return bool(hi == sre_c.MAXREPEAT or hi > _BIG)


def _flatten(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Inline plain groups so ``((a+))`` is seen as ``a+``."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op == sre_c.SUBPATTERN:
            out.extend(_flatten(list(av[-1])))
        else:
            out.append((op, av))
    return out


def _ambiguous(body: list[tuple[Any, Any]], flags: int) -> bool:
    variable = [chars for chars in _variable_parts(body, flags)]
    if not variable:
        return False
    fences = [
        (index, chars)
        for index, (op, av) in enumerate(body)
        if (chars := _mandatory_chars(op, av, flags)) is not None
    ]
    for index, chars in _variable_parts_indexed(body, flags):
        if not any(i != index and not (chars & fence) for i, fence in fences):
            return True
    return False


def _variable_parts(body: list[tuple[Any, Any]], flags: int) -> list[frozenset[str]]:
    return [chars for _, chars in _variable_parts_indexed(body, flags)]


def _variable_parts_indexed(
    body: list[tuple[Any, Any]], flags: int
) -> list[tuple[int, frozenset[str]]]:
    found: list[tuple[int, frozenset[str]]] = []
    for index, (op, av) in enumerate(body):
        for sub_op, sub_av in _descend(op, av):
            if sub_op in _REPEATS:
                lo, hi, inner = sub_av
                if lo != hi and hi > 1:
                    found.append((index, _chars_of(list(inner), flags)))
    return found


def _descend(op: Any, av: Any) -> list[tuple[Any, Any]]:
    """``(op, av)`` and every node below it."""
    nodes = [(op, av)]
    if op in _REPEATS:
        children = list(av[2])
    elif op == sre_c.SUBPATTERN:
        children = list(av[-1])
    elif op == sre_c.BRANCH:
        children = [node for branch in av[1] for node in branch]
    else:
        children = []
    for child_op, child_av in children:
        nodes.extend(_descend(child_op, child_av))
    return nodes


def _mandatory_chars(op: Any, av: Any, flags: int) -> frozenset[str] | None:
    """The characters a mandatory single-character item can match, else None."""
    if op in _REPEATS:
        lo, _, inner = av
        inner_items = _flatten(list(inner))
        if lo >= 1 and len(inner_items) == 1:
            return _single_chars(*inner_items[0], flags)
        return None
    return _single_chars(op, av, flags)


def _chars_of(items: list[tuple[Any, Any]], flags: int) -> frozenset[str]:
    chars: set[str] = set()
    for op, av in items:
        for sub_op, sub_av in _descend(op, av):
            single = _single_chars(sub_op, sub_av, flags)
            if single is not None:
                chars |= single
    return frozenset(chars)


def _single_chars(op: Any, av: Any, flags: int) -> frozenset[str] | None:
    ignore_case = bool(flags & re.IGNORECASE)
    if op == sre_c.LITERAL:
        test = _literal_test(av, ignore_case)
    elif op == sre_c.NOT_LITERAL:
        lit = _literal_test(av, ignore_case)

        def test(c: str) -> bool:
            return not lit(c)

    elif op == sre_c.ANY:

        def test(c: str) -> bool:
            return c != "\n" or bool(flags & re.DOTALL)

    elif op == sre_c.IN:
        test = _set_test(av, ignore_case)
    else:
        return None
    return frozenset(c for c in _SAMPLE if test(c))


def _literal_test(code: int, ignore_case: bool) -> Any:
    target = chr(code)

    def test(c: str) -> bool:
        return c == target or (ignore_case and c.lower() == target.lower())

    return test


_CATEGORIES = {
    sre_c.CATEGORY_DIGIT: str.isdecimal,
    sre_c.CATEGORY_SPACE: str.isspace,
    sre_c.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
}


def _set_test(items: list[tuple[Any, Any]], ignore_case: bool) -> Any:
    negate = False
    tests: list[Any] = []
    for op, av in items:
        if op == sre_c.NEGATE:
            negate = True
        elif op == sre_c.LITERAL:
            tests.append(_literal_test(av, ignore_case))
        elif op == sre_c.RANGE:
            lo, hi = av
            tests.append(
                lambda c, lo=lo, hi=hi: (
                    lo <= ord(c) <= hi
                    or (ignore_case and (lo <= ord(c.lower()) <= hi or lo <= ord(c.upper()) <= hi))
                )
            )
        elif op == sre_c.CATEGORY:
            name = str(av)
            positive = name.replace("NOT_", "")
            base = next((fn for cat, fn in _CATEGORIES.items() if str(cat) == positive), None)
            if base is None:
                tests.append(lambda c: True)  # unknown category: assume it overlaps
            elif "NOT_" in name:
                tests.append(lambda c, base=base: not base(c))
            else:
                tests.append(base)
        else:
            tests.append(lambda c: True)

    def test(c: str) -> bool:
        hit = any(t(c) for t in tests)
        return not hit if negate else hit

    return test
