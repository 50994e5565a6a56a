"""A regex searched as ordered parts, so each part gets its own pre-checks.

A regex is tried only where one of its literal prefixes occurs
(:mod:`agent.engine.anchors`) when *every* way of matching begins with such a
prefix; one branch that begins with a class (``[\\w.+-]{1,64}@``) or an optional
item (``(?:[a-z]+_)?admin``) makes the whole regex a search at every position, and
a search tries every branch of an alternation there.  :func:`split` rewrites such a
regex, at load, into parts whose leftmost-first union is the regex:

- ``H(?:A|B)T`` into ``HAT``, ``HBT``;
- ``HX?T`` into ``HXT``, ``HT`` (a lazy ``X??`` the other way round);

where ``H`` makes no choice (literals, classes, assertions, possessive repeats): a
backtracking engine then tries the parts' ways of matching in the very order it
tries the regex's, so at any position the first part that matches there gives
the regex's match.  Only parts that still have no prefix are split further, up to
:data:`MAX_PARTS`, and a split is kept only if at most one part is left searched
everywhere (no prefix, no literal it needs): more would cost more whole-text
searches than the one search of the regex they replace.  Each part is written back
as source (:mod:`agent.engine.regex_source`) and gets its own literal sets, digits,
marks and prefixes; a check drops the parts whose requirements fail, anchors the
parts that have prefixes, and searches the rest.

:func:`leftmost_first` merges the parts' matches into what ``finditer`` of the
regex yields: the leftmost start, the earliest part on a tie, the next search from
that match's end.  Every part is non-empty, so no empty-match rules come in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from agent.engine.anchors import anchor_prefixes, sequence_prefixes
from agent.engine.pack_regex import Match
from agent.engine.prefilter import requirement
from agent.engine.regex_source import (
    Items,
    Unwritable,
    global_flags,
    group_names,
    parse,
    shape,
    source,
)
from agent.engine.sre import sre_c, sre_parse

MAX_PARTS = 16  # each part still unanchored costs a search of its own
_CHOICE_FREE = {
    sre_c.LITERAL,
    sre_c.NOT_LITERAL,
    sre_c.ANY,
    sre_c.IN,
    sre_c.AT,
    sre_c.ASSERT,  # look-arounds are atomic: no way back into them
    sre_c.ASSERT_NOT,
    sre_c.POSSESSIVE_REPEAT,
    sre_c.ATOMIC_GROUP,
}
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT)


def split(pattern: str) -> tuple[str, ...]:
    """``pattern`` as parts whose leftmost-first union it is (itself alone when it
    has prefixes already, or when no split gives every part one)."""
    parsed = parse(pattern)
    items = list(parsed.data)
    if sequence_prefixes(items) is not None:
        return (pattern,)
    parts: list[Items] = []
    if not _parts(items, parsed.state, parts) or len(parts) < 2:
        return (pattern,)
    flags, names = global_flags(parsed), group_names(parsed)
    try:
        written = tuple(source(part, flags, names) for part in parts)
    except Unwritable:
        return (pattern,)
    if not all(_faithful(text, part, parsed) for text, part in zip(written, parts, strict=True)):
        return (pattern,)  # pragma: no cover - the writer and the parser disagree
    if sum(map(_open, written)) > 1:
        return (pattern,)  # more searches of the whole text than the one it replaces
    return written


def _open(part: str) -> bool:
    """Whether a part is searched everywhere on most texts: no prefix, no literal it needs."""
    return anchor_prefixes(part) is None and not requirement(part).literal_sets


def _parts(items: Items, state: Any, found: list[Items]) -> bool:
    """Add ``items``'s parts to ``found``, splitting while a part has no prefix; ``False``
    when a part could match the empty string or the parts would be too many."""
    if _min_width(items, state) == 0:
        return False
    options = None if sequence_prefixes(items) is not None else _alternatives(items)
    if options is None:
        found.append(items)
        return len(found) <= MAX_PARTS
    return all(_parts(option, state, found) for option in options)


def _alternatives(items: Items) -> list[Items] | None:
    """The sequences ``items`` can be read as, in the order a backtracking engine tries
    them, split at the first choice; ``None`` when a choice comes first in another form."""
    for index, (op, av) in enumerate(items):
        head, tail = items[:index], items[index + 1 :]
        if op == sre_c.BRANCH:
            return [head + list(branch) + tail for branch in av[1]]
        if op == sre_c.SUBPATTERN and _single_branch(av[-1]):
            group, add, delete, body = av
            branches = body.data[0][1][1]
            return [
                [*head, (op, (group, add, delete, _subpattern(body, list(b)))), *tail]
                for b in branches
            ]
        if op in _REPEATS and (av[0], av[1]) == (0, 1):
            taken = head + list(av[2]) + tail
            return [taken, head + tail] if op == sre_c.MAX_REPEAT else [head + tail, taken]
        if not _choice_free(op, av):
            return None
    return None


def _single_branch(body: Any) -> bool:
    return len(body.data) == 1 and body.data[0][0] == sre_c.BRANCH


def _choice_free(op: Any, av: Any) -> bool:
    """Whether the item matches in one way only, so nothing after it backtracks into it."""
    if op in _CHOICE_FREE:
        return True
    if op == sre_c.SUBPATTERN:
        return all(_choice_free(*item) for item in av[-1])
    if op in _REPEATS and av[0] == av[1]:
        return all(_choice_free(*item) for item in av[2])
    return False


def _subpattern(like: Any, items: Items) -> Any:
    return sre_parse.SubPattern(like.state, items)


def _min_width(items: Items, state: Any) -> int:
    least, _ = sre_parse.SubPattern(state, items).getwidth()
    return int(least)


def _faithful(text: str, items: Items, whole: Any) -> bool:
    """Whether ``text`` parses back to ``items`` (group numbers aside) with the same flags."""
    again = parse(text)
    same_flags = global_flags(again) == global_flags(whole) & ~sre_c.SRE_FLAG_VERBOSE
    return same_flags and bool(shape(again.data, numbered=False) == shape(items, numbered=False))


Finder = Callable[[int], "Match[str] | None"]


def leftmost_first(finders: list[Finder]) -> Iterator[Match[str]]:
    """What ``finditer`` of the parts' alternation yields, from each part's "first match
    at or after ``pos``" (``finders``, in the parts' order)."""
    pos = 0
    pending = [find(pos) for find in finders]
    while True:
        best: Match[str] | None = None
        for index, found in enumerate(pending):
            if found is not None and found.start() < pos:
                found = pending[index] = finders[index](pos)  # overlapped the last match
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        if best is None:
            return
        yield best
        pos = best.end()
