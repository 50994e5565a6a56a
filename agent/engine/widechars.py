"""The non-ASCII characters of a text, found in C.

Posts are mostly ASCII with a few emoji or accented letters, and one emoji
makes Python store the whole string four bytes a character, which every
regex then reads slowly.  Encoding to UTF-8 and deleting the ASCII bytes
leaves the few other characters at a fraction of a regex scan's cost, so
the checks that only care whether some kind of character is present ask
this first.
"""

from __future__ import annotations

import re

ASCII_BYTES = bytes(range(128))


def non_ascii(text: str) -> str:
    """The characters of ``text`` outside ASCII, in order (lone surrogates included)."""
    utf8 = text.encode("utf-8", "surrogatepass").translate(None, ASCII_BYTES)
    return utf8.decode("utf-8", "surrogatepass")


_RUN = re.compile(r"[^\x00-\x7f]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Up to this many non-ASCII characters, finding each with str.find (a C loop per
# character) beats a regex reading every character of a four-byte-wide string.
_FEW = 64


def non_ascii_runs(text: str) -> list[tuple[int, int]]:
    """The spans of ``text``'s maximal runs of non-ASCII characters, in order."""
    others = non_ascii(text)
    if not others:
        return []
    if len(others) > _FEW:
        return [found.span() for found in _RUN.finditer(text)]
    runs: list[tuple[int, int]] = []
    for at in positions_of(text, set(others)):
        if runs and runs[-1][1] == at:
            runs[-1] = (runs[-1][0], at + 1)
        else:
            runs.append((at, at + 1))
    return runs


def positions_of(text: str, chars: set[str]) -> list[int]:
    """Every offset of ``text`` holding one of ``chars`` (a few), ascending."""
    positions: list[int] = []
    for char in chars:
        at = text.find(char)
        while at >= 0:
            positions.append(at)
            at = text.find(char, at + 1)
    positions.sort()
    return positions


def astral_positions(text: str) -> list[int]:
    """Offsets of the characters beyond U+FFFF (two UTF-16 code units each, like emoji)."""
    others = non_ascii(text)
    if len(others) > _FEW:
        return [found.start() for found in _ASTRAL.finditer(text)]
    return positions_of(text, {char for char in others if char > "\uffff"})
