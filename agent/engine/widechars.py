"""The non-ASCII characters of a text, found in C.

Posts are mostly ASCII with a few emoji or accented letters, and one emoji
makes Python store the whole string four bytes a character, which every
regex then reads slowly.  Encoding to UTF-8 and deleting the ASCII bytes
leaves the few other characters at a fraction of a regex scan's cost, so
the checks that only care whether some kind of character is present ask
this first.
"""

from __future__ import annotations

ASCII_BYTES = bytes(range(128))


def non_ascii(text: str) -> str:
    """The characters of ``text`` outside ASCII, in order (lone surrogates included)."""
    utf8 = text.encode("utf-8", "surrogatepass").translate(None, ASCII_BYTES)
    return utf8.decode("utf-8", "surrogatepass")
