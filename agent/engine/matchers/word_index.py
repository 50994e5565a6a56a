"""Word-list keys matched on word boundaries, in one Aho–Corasick pass for every list.

Keys are stored framed by spaces (``" idiot "``) and the post is read with every
non-word character turned into a space, one for one, so a key can only match a
whole run of words.  There is no boundary test per match in Python, and the
thousands of raw matches short keys would make inside longer words ("he" in
"the", "we" in "were") never happen: the pass reports only what lists mean.

The text read is the leet view (list terms are leet-folded alike).  Two more
readings exist only when a post needs them: camelCase split into words
("#fireHim"), and drawn-out letters reduced ("idiooot"), where a hit must cover a
reduced letter so that "ass" never matches an everyday "as".
"""

from __future__ import annotations

import re

import ahocorasick

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import View, is_word_char, normalise_phrase
from agent.engine.wordforms import squeeze

_NON_WORD = re.compile(r"\W")
_CAMEL = re.compile(r"[a-z](?=[A-Z])")
_STRETCHED = re.compile(r"([^\W\d_])\1\1")
_REPEATS = re.compile(r"([^\W\d_])\1*|\d")  # a letter and its repeats, or a digit

# What a key leads to: its framed length, whether it is a prefix (the word may go on),
# and the slots that list it.  Interned: keys of one list share one tuple.
_KeyInfo = tuple[int, bool, tuple[int, ...]]


def word_key(phrase: str) -> str:
    """A term as the word pass reads it: leet-folded, one space between its words.

    Punctuation inside a term stays one space per character, as in the post: "f*** you"
    reads "f    you" on both sides, and "you're" reads "you re".
    """
    return " ".join(normalise_phrase(phrase, "leet").split())


def framed_only(phrase: str) -> bool:
    """Whether a term can be read on word boundaries (it begins and ends with a word)."""
    key = normalise_phrase(phrase, "leet")
    return bool(key) and is_word_char(key[0]) and is_word_char(key[-1])


# Where keys of one interned kind matched in one check: (view, start, end) per occurrence.
_Occurrences = dict[int, list[tuple[View, int, int]]]


class WordIndex:
    """Built at load (``add`` then ``freeze``); read-only afterwards, so thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, dict[tuple[str, bool], list[int]]] = {"plain": {}, "squeezed": {}}
        self._automata: dict[str, ahocorasick.Automaton] = {}
        self._infos: list[_KeyInfo] = []

    def add(self, forms: list[str], slot: int, *, prefix: bool = False) -> None:
        """List ``forms`` (already through :func:`word_key`, then word forms) for ``slot``."""
        for form in forms:
            key = _NON_WORD.sub(" ", form).strip()
            if not key:
                continue
            for reading, text in (("plain", key), ("squeezed", squeeze(key))):
                slots = self._pending[reading].setdefault((text, prefix), [])
                if slot not in slots:
                    slots.append(slot)

    def freeze(self) -> None:
        interned: dict[_KeyInfo, int] = {}
        for reading, table in self._pending.items():
            if not table:
                continue
            automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
            for (key, prefix), slots in table.items():
                framed = f" {key}" if prefix else f" {key} "
                info = (len(framed), prefix, tuple(slots))
                automaton.add_word(framed, interned.setdefault(info, len(interned)))
            automaton.make_automaton()
            self._automata[reading] = automaton
        self._infos = list(interned)
        self._pending = {"plain": {}, "squeezed": {}}

    def scan(self, scan: Scan) -> None:
        """Record every list-term occurrence; ``scan.hits(slot)`` turns them into hits."""
        if not self._automata:
            return
        views = scan.views
        base = views.leet
        view = base.retext(_NON_WORD.sub(" ", base.text))
        found: _Occurrences = {}
        self._read(self._automata["plain"], view, found)
        # The other readings cover only the words that need them, so a post pays for
        # its camelCase hashtags and drawn-out words, not for its whole length again.
        cased = views.cased.text
        if len(cased) == len(view.text) and _CAMEL.search(cased):
            self._read(self._automata["plain"], _camel_words(view, cased), found)
        squeezed = self._automata.get("squeezed")
        if squeezed is not None and _STRETCHED.search(view.text):
            self._read(squeezed, _stretched_words(view), found)
        if found:
            by_slot = self._by_found_slot(found)
            scan.resolvers.append(lambda slot: self._hits(by_slot.get(slot), found, views.text))

    def _read(self, automaton: ahocorasick.Automaton, view: View, found: _Occurrences) -> None:
        infos = self._infos
        for last, index in automaton.iter(f" {view.text} "):
            length, prefix, _ = infos[index]
            # the frame's first space is the padding's or a separator: the word starts after it
            start = last - length + 1
            found.setdefault(index, []).append((view, start, last if prefix else last - 1))

    def _by_found_slot(self, found: _Occurrences) -> dict[int, list[int]]:
        """The key kinds that matched, grouped by the slots that list them.

        A list's terms come in dozens of kinds (lengths, prefix or not); a post matches a
        few of them, so the grouping walks what matched, not what a slot could match.
        """
        infos = self._infos
        by_slot: dict[int, list[int]] = {}
        for index in found:
            for slot in infos[index][2]:
                by_slot.setdefault(slot, []).append(index)
        return by_slot

    def _hits(self, kinds: list[int] | None, found: _Occurrences, original: str) -> list[Hit]:
        hits: list[Hit] = []
        for index in kinds or ():
            prefix = self._infos[index][1]
            for view, start, end in found[index]:
                first, stop = view.original_span(start, end)
                if prefix:
                    while stop < len(original) and is_word_char(original[stop]):
                        stop += 1  # a prefix finding covers the whole word
                hits.append(Hit(first, stop, ""))
        return hits


_STRETCHED_WORD = re.compile(r"[^\W_]*([^\W\d_])\1\1[^\W_]*")


def _camel_words(view: View, cased: str) -> View:
    """The camelCase words of ``view``, split where lower case meets upper ("fire him")."""
    pieces: list[str] = []
    sources: list[int] = []
    text = view.text
    size = len(text)
    stop = -1  # the end of the word being split
    begin = 0
    for cut in _CAMEL.finditer(cased):
        at = cut.end()
        if at > stop:  # a new word: close the last one, find this one's bounds
            if stop >= 0:
                _close_word(text, begin, stop, pieces, sources)
            begin = at - 1
            while begin > 0 and is_word_char(text[begin - 1]):
                begin -= 1
            stop = at
            while stop < size and is_word_char(text[stop]):
                stop += 1
        pieces.append(text[begin:at])
        sources.extend(range(begin, at))
        pieces.append(" ")
        sources.append(at)  # the space stands for the letter after it
        begin = at
    if stop >= 0:
        _close_word(text, begin, stop, pieces, sources)
    return view.derive("".join(pieces), sources)


def _close_word(text: str, begin: int, stop: int, pieces: list[str], sources: list[int]) -> None:
    pieces.append(text[begin:stop])
    sources.extend(range(begin, stop))
    pieces.append(" ")
    sources.append(stop - 1)


def _stretched_words(view: View) -> View:
    """The drawn-out words of ``view`` with every repeated letter reduced to one.

    Only a word with a letter repeated three times or more is read, so "ass"
    (listed, and "as" once reduced) is found in "asssss" but never in "as".
    """
    pieces: list[str] = []
    sources: list[int] = []
    lasts: list[int] = []  # a reduced letter maps back to its whole run
    text = view.text
    for word in _STRETCHED_WORD.finditer(text):
        begin, stop = word.span()
        for run in _REPEATS.finditer(text, begin, stop):
            pieces.append(run.group()[0])
            sources.append(run.start())
            lasts.append(run.end() - 1)
        pieces.append(" ")
        sources.append(stop - 1)
        lasts.append(stop - 1)
    return view.derive("".join(pieces), sources, lasts)
