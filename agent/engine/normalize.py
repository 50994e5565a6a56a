"""Normalised views of a text, each with a map back to the original code points.

A check builds one :class:`TextViews` and every rule reads from it:

``cased``
    NFKC, invisible characters (zero-width, soft hyphen, bidi controls, control
    characters other than tab and line breaks) removed, stray combining marks
    dropped, Cyrillic/Greek look-alikes folded to Latin.
    Case is kept; ``pattern`` rules and case-sensitive phrases run here.
``folded``
    ``cased``, case-folded, with letter-spaced words ("c o n f i d e n t i a l")
    collapsed.  Phrases, exceptions, hashed phrases and context words run here.
``leet``
    ``folded`` with leetspeak digits folded inside words, for word lists and the
    phrase rules that opt in; built only when the text has a leet character.
    (Word lists read it on word boundaries, see ``matchers.word_index``.)

Every view is built in time linear in the text's length, whatever the text:
a hostile post (40,000 letter-spaced characters, one endless word) costs what
an ordinary post of the same size costs.

Every view character maps to a half-open range of original code points, so a
span found in any view maps back to the exact original characters; offsets
then convert to UTF-16 code units, the browser's unit.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import overload

from agent.engine.confusables import CONFUSABLES
from agent.engine.widechars import astral_positions, non_ascii, non_ascii_runs

_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u034f")
# Control characters (category Cc) draw nothing, so "pass\x7fword" reads "password" to a
# person and must read so to every rule.  Tab and the line breaks stay: they separate words.
_KEPT_CONTROLS = frozenset("\t\n\r")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Single letters joined by one repeated separator: "c o n f", "c.o.n.f", "c-o-n-f".
_SPACED = re.compile(r"(?<!\w)[^\W\d_](?P<sep>[ .\-_*·•])[^\W\d_](?:(?P=sep)[^\W\d_]){2,}(?!\w)")
# Inside every such run (four letters or more): separator, letter, separator,
# letter, separator.  Starting with a class lets the regex engine skip ahead in
# C, so a post without one is ruled out at a third of the cost of _SPACED.
_SPACED_HINT = re.compile(r"[ .\-_*·•][^\W\d_][ .\-_*·•][^\W\d_][ .\-_*·•]")
# The same question in bytes, for a text whose letters and separators are all ASCII:
# each byte becomes "s" (separator), "l" (letter) or "x", and the hint is b"slsls".
_HINT_CLASSES = bytes.maketrans(
    bytes(range(256)),
    bytes(
        b"s"[0] if chr(b) in " .-_*" else b"l"[0] if b < 128 and chr(b).isalpha() else b"x"[0]
        for b in range(256)
    ),
)
_WIDE_LETTER_OR_SEPARATOR = re.compile(r"[^\W\d_]|[·•]")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_CHAR = re.compile(r"[0134579@$]")
# A whole word that holds a leet character.  The look-behind lets a word be
# tried from its first character only, and the lazy run stops at the first leet
# character, so a long word without one is read once: linear, not quadratic.
_LEET_TOKEN = re.compile(r"(?<![\w@$])[\w@$]*?[0134579@$][\w@$]*")
_HAS_LETTER = re.compile(r"[^\W\d_]")


Maps = tuple[Sequence[int], Sequence[int]]  # (starts, ends), one entry per view character


class View:
    """A normalised text whose characters map back to original code points.

    The map is built on first use: most checks report no finding, and a map
    costs two integers per character of the post.
    """

    __slots__ = ("_build", "_maps", "_wide", "text")

    def __init__(self, text: str, build: Callable[[], Maps | None] | None = None) -> None:
        self.text = text
        self._build = build  # None: the identity map
        self._maps: Maps | None = None
        self._wide: str | None = None

    @property
    def wide(self) -> str:
        """The text's non-ASCII characters, found once for every pass that asks."""
        if self._wide is None:
            self._wide = non_ascii(self.text)
        return self._wide

    def maps(self) -> Maps | None:
        """``(starts, ends)`` for each view character, or ``None`` for the identity."""
        if self._build is not None:
            self._maps, self._build = self._build(), None
        return self._maps

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original code-point span of the view span ``[start, end)`` (non-empty)."""
        maps = self.maps()
        if maps is None:
            return start, end
        return maps[0][start], maps[1][end - 1]

    def retext(self, text: str) -> View:
        """A view of the same length whose character ``k`` comes from this view's ``k``."""
        if self._build is None and self._maps is None:
            return View(text)
        return View(text, self.maps)  # shares this view's map, built once for both

    def derive(self, text: str, sources: list[int], lasts: list[int] | None = None) -> View:
        """A view whose character ``k`` comes from this view's characters ``sources[k]``
        through ``lasts[k]`` (default: the one character ``sources[k]``)."""
        until = sources if lasts is None else lasts

        def build() -> Maps:
            maps = self.maps()
            if maps is None:
                return sources, [i + 1 for i in until]
            starts, ends = (m.expand() if isinstance(m, _PiecewiseMap) else m for m in maps)
            return [starts[i] for i in sources], [ends[i] for i in until]

        return View(text, build)


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or char in _FILLERS or (category == "Cc" and char not in _KEPT_CONTROLS)


def _runs_to_fold(text: str) -> list[tuple[int, int]]:
    """Spans the cased view rewrites: non-ASCII runs and ASCII control characters."""
    runs = non_ascii_runs(text)
    controls = [m.span() for m in _ASCII_CONTROL.finditer(text)]
    if not controls:
        return runs
    merged: list[tuple[int, int]] = []
    for begin, stop in sorted(runs + controls):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((begin, stop))
    return merged


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


class _PiecewiseMap(Sequence[int]):
    """One side of the cased view's map, read through its pieces instead of being expanded.

    Most of a post is kept as it is (ASCII runs, each one ``range``), and folded clusters
    are runs of one shared list (each piece an offset into it), so building the map
    allocates no container per piece and a lookup is one bisection: mapping a finding back
    costs a few steps, not two integers per character of the post.
    """

    __slots__ = ("_firsts", "_pieces", "_shared", "_size")

    def __init__(
        self, firsts: list[int], pieces: list[range | int], shared: list[int], size: int
    ) -> None:
        self._firsts = firsts  # view offset where each piece begins
        self._pieces = pieces
        self._shared = shared
        self._size = size

    def __len__(self) -> int:
        return self._size

    def expand(self) -> list[int]:
        """Every entry at once, for views derived character by character."""
        values: list[int] = []
        for k, piece in enumerate(self._pieces):
            if isinstance(piece, range):
                values.extend(piece)
            else:
                following = self._firsts[k + 1] if k + 1 < len(self._firsts) else self._size
                values.extend(self._shared[piece : piece + following - self._firsts[k]])
        return values

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        if not 0 <= index < self._size:
            raise IndexError(index)
        k = bisect_right(self._firsts, index) - 1
        piece, offset = self._pieces[k], index - self._firsts[k]
        if isinstance(piece, range):
            return piece[offset]
        return self._shared[piece + offset]


def cased_view(text: str) -> View:
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return View(text)
    out: list[str] = []
    firsts: list[int] = []  # view offset where each piece begins
    starts: list[range | int] = []
    ends: list[range | int] = []
    cluster_starts: list[int] = []  # every folded cluster's map, one after another
    cluster_ends: list[int] = []
    size = 0
    pos = 0
    for begin, stop in _runs_to_fold(text):
        if begin > pos and _is_mark(text[begin]):
            begin -= 1  # an ASCII base letter followed by combining marks
        if begin > pos:
            out.append(text[pos:begin])
            firsts.append(size)
            starts.append(range(pos, begin))
            ends.append(range(pos + 1, begin + 1))
            size += begin - pos
        mark = len(cluster_starts)
        _fold_cluster(text, begin, stop, out, cluster_starts, cluster_ends)
        if len(cluster_starts) > mark:  # invisible characters alone leave nothing behind
            firsts.append(size)
            starts.append(mark)
            ends.append(mark)
            size += len(cluster_starts) - mark
        pos = stop
    if pos < len(text):
        out.append(text[pos:])
        firsts.append(size)
        starts.append(range(pos, len(text)))
        ends.append(range(pos + 1, len(text) + 1))
        size += len(text) - pos

    def build() -> Maps:
        return (
            _PiecewiseMap(firsts, starts, cluster_starts, size),
            _PiecewiseMap(firsts, ends, cluster_ends, size),
        )

    return View("".join(out), build)


def _fold_cluster(
    text: str, begin: int, stop: int, out: list[str], starts: list[int], ends: list[int]
) -> None:
    index = begin
    while index < stop:
        unit_end = index + 1
        while unit_end < stop and (_is_mark(text[unit_end]) or _is_invisible(text[unit_end])):
            unit_end += 1
        unit = "".join(c for c in text[index:unit_end] if not _is_invisible(c))
        for char in unicodedata.normalize("NFKC", unit):
            if _is_mark(char) or _is_invisible(char):
                continue  # a mark NFKC could not compose: decoration, not meaning
            out.append(CONFUSABLES.get(char, char))
            starts.append(index)
            ends.append(unit_end)
        index = unit_end


def folded_view(cased: View) -> View:
    text = cased.text
    # Case folding has no context (unlike lower() with its final sigma), so the
    # whole text folds at once; only a character that folds to several (ß → ss)
    # needs a per-character map.
    folded = text.casefold()
    if len(folded) == len(text):
        view = cased.retext(folded)
    else:
        sources: list[int] = []
        for index, char in enumerate(text):
            sources.extend([index] * len(char.casefold()))
        view = cased.derive(folded, sources)
    return collapse_spaced_letters(view)


def _may_have_spaced_letters(view: View) -> bool:
    text = view.text
    if text.isascii():
        return b"slsls" in text.encode("ascii").translate(_HINT_CLASSES)
    if _WIDE_LETTER_OR_SEPARATOR.search(view.wide) is None:
        # Emoji and other symbols are neither letters nor separators: bytes still answer.
        return b"slsls" in text.encode("utf-8", "surrogatepass").translate(_HINT_CLASSES)
    return _SPACED_HINT.search(text) is not None


def collapse_spaced_letters(view: View) -> View:
    text = view.text
    if not _may_have_spaced_letters(view):
        return view
    runs = list(_SPACED.finditer(text))
    if not runs:
        return view
    pieces: list[str] = []
    sources: list[int] = []
    pos = 0
    for run in runs:
        begin, stop = run.span()
        pieces.append(text[pos:begin])
        sources.extend(range(pos, begin))
        pieces.append(text[begin:stop:2])
        sources.extend(range(begin, stop, 2))
        pos = stop
    pieces.append(text[pos:])
    sources.extend(range(pos, len(text)))
    return view.derive("".join(pieces), sources)


def leet_view(folded: View) -> View:
    text = folded.text
    if _LEET_CHAR.search(text) is None:
        return folded

    def fold(token: re.Match[str]) -> str:
        word = token.group()
        return word.translate(_LEET) if _HAS_LETTER.search(word) else word

    leet = _LEET_TOKEN.sub(fold, text)
    if leet == text:
        return folded
    return folded.retext(leet)  # same length: the map carries over


class TextViews:
    """All views of one text, built on first use; one instance per check.

    Plain properties over slots, not ``functools.cached_property``: before 3.12 that
    takes a lock on first use, which cost more than building a short phrase's views.
    """

    __slots__ = ("_astral_offsets", "_cased", "_folded", "_leet", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._cased: View | None = None
        self._folded: View | None = None
        self._leet: View | None = None
        self._astral_offsets: list[int] | None = None

    @property
    def cased(self) -> View:
        if self._cased is None:
            self._cased = cased_view(self.text)
        return self._cased

    @property
    def folded(self) -> View:
        if self._folded is None:
            self._folded = folded_view(self.cased)
        return self._folded

    @property
    def leet(self) -> View:
        if self._leet is None:
            self._leet = leet_view(self.folded)
        return self._leet

    def view(self, flavour: str) -> View:
        view: View = getattr(self, flavour)
        return view

    @property
    def _astral(self) -> list[int]:
        """Offsets of the characters UTF-16 stores as two code units (emoji)."""
        if self._astral_offsets is None:
            text = self.text
            self._astral_offsets = [] if text.isascii() else astral_positions(text)
        return self._astral_offsets

    def utf16(self, index: int) -> int:
        """UTF-16 offset of code-point offset ``index`` (astral characters count 2)."""
        astral = self._astral
        return index + bisect_left(astral, index) if astral else index


def normalise_phrase(phrase: str, flavour: str) -> str:
    """A phrase as it appears in the given view of any text containing it."""
    return TextViews(phrase).view(flavour).text.strip()


def is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
