"""Hashed phrase lists: the pack carries salted SHA-256 digests, never the phrases.

A phrase's key is its words in the folded view joined by single spaces, so
"Project  FALCON", "project-falcon" and "P r o j e c t falcon" share one key.
Rules with the same salt share their hashing, so a pack should use one salt
for all its lists (``postguard pack hash --salt``).

Every run of 1..max_words words of the post is a candidate.  Hashing each one
costs about 0.4 µs (one SHA-256 block), some 900 runs for a 3,000-character
post: most of a check.  So an entry may carry a *check value* after its digest
("<digest>:<check>"): the top 20 bits of CRC-32 of the key.  A run is hashed
only when its check value is listed, which for a list of 10,000 entries is
about one run in a hundred; CRC-32 runs in C over every run for a fraction of
the cost, once per check whatever the number of salts.

What a check value gives away (docs/pack-format.md has the long form): it is
a function of the whole key, so it cannot be tested word by word the way a
first-word or length filter could; about one phrase in a million shares it,
so only the digest confirms a guess.  But CRC-32 is linear, so for an
invented key (not a word anyone would guess) it takes about 20 bits off a
brute-force search.  ``postguard pack hash --no-check-values`` writes bare
digests for lists that must not give that; a salt group with any bare entry
hashes every run.
"""

from __future__ import annotations

import hashlib
import importlib
import operator
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from typing import ClassVar, Protocol

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import TextViews, is_word_char
from agent.engine.widechars import non_ascii

WORD = re.compile(r"\w+")
_NON_WORD_BYTES = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_TO_SPACE = bytes.maketrans(_NON_WORD_BYTES, b" " * len(_NON_WORD_BYTES))
CHECK_BITS = 20
_CHECK_SHIFT = 32 - CHECK_BITS  # a shift maps in C faster than a mask (int.__and__)
CHECK_HEX_DIGITS = (CHECK_BITS + 3) // 4


class _Hash(Protocol):
    def copy(self) -> _Hash: ...
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


def _fastest_sha256() -> Callable[[bytes], _Hash]:
    """CPython's own SHA-256 (``_sha2`` from 3.12, ``_sha256`` before), else hashlib's.

    OpenSSL's per-call overhead (context copy and finalisation) outweighs hashing
    one 64-byte block; a test checks the digests agree with ``hashlib.sha256``.
    """
    for module in ("_sha2", "_sha256"):
        try:
            constructor: Callable[[bytes], _Hash] = importlib.import_module(module).sha256
        except (ImportError, AttributeError):
            continue
        return constructor
    return hashlib.sha256


SHA256 = _fastest_sha256()


def text_words(text: str, wide: str | None = None) -> list[bytes]:
    """The UTF-8 words of ``text`` as ``WORD`` finds them, split the cheapest way.

    ``wide``: the text's non-ASCII characters, when the caller has them already.
    """
    # A non-ASCII word character needs the regex; emoji and the like do not.
    if not text.isascii() and WORD.search(non_ascii(text) if wide is None else wide) is not None:
        return list(map(str.encode, WORD.findall(text)))
    # Every character is an ASCII word character or separates words ("?" does too).
    return text.encode("ascii", "replace").translate(_TO_SPACE).split()


def phrase_key(phrase: str) -> str:
    """The normalised form of a phrase that gets hashed."""
    return " ".join(WORD.findall(TextViews(phrase).folded.text))


def phrase_digest(salt: bytes, phrase: str) -> str:
    return hashlib.sha256(salt + phrase_key(phrase).encode("utf-8")).hexdigest()


def phrase_check(phrase: str) -> str:
    """The entry's check value: the top bits of CRC-32 of the key, as hex."""
    value = zlib.crc32(phrase_key(phrase).encode("utf-8")) >> _CHECK_SHIFT
    return f"{value:0{CHECK_HEX_DIGITS}x}"


def phrase_entry(salt: bytes, phrase: str) -> str:
    """A ``hashes`` entry: ``<digest>:<check>``."""
    return f"{phrase_digest(salt, phrase)}:{phrase_check(phrase)}"


@dataclass(slots=True)
class _SaltGroup:
    salt: bytes
    max_words: int = 1
    # digest → (slot, max_words) of each rule listing it; equal tuples are one object after
    # freeze, so 10,000 entries of one rule share it (in memory, and in the start-up cache)
    lookup: dict[bytes, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    # Check values of every entry, or None once one entry comes without: then hash every run.
    checks: set[int] | None = field(default_factory=set)


def split_entry(entry: str) -> tuple[bytes, int | None]:
    """``"<digest>[:<check>]"`` as digest bytes and the check value, if any."""
    digest_hex, _, check_hex = entry.partition(":")
    return bytes.fromhex(digest_hex), int(check_hex, 16) if check_hex else None


class HashedIndex:
    """Built at load, read-only afterwards."""

    def __init__(self) -> None:
        self._groups: dict[bytes, _SaltGroup] = {}

    def add(self, salt_hex: str, hashes: list[str], max_words: int, slot: int) -> None:
        salt = bytes.fromhex(salt_hex)
        group = self._groups.get(salt)
        if group is None:
            group = self._groups[salt] = _SaltGroup(salt)
        group.max_words = max(group.max_words, max_words)
        for entry in hashes:
            digest, check = split_entry(entry)
            listing = group.lookup.get(digest, ())
            if (slot, max_words) not in listing:
                group.lookup[digest] = (*listing, (slot, max_words))
            if check is None:
                group.checks = None
            elif group.checks is not None:
                group.checks.add(check)

    def freeze(self) -> None:
        for group in self._groups.values():
            shared: dict[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]] = {}
            lookup = group.lookup
            for digest, listing in lookup.items():
                lookup[digest] = shared.setdefault(listing, listing)

    def scan(self, scan: Scan) -> None:
        if not self._groups:
            return
        view = scan.views.folded
        text = view.text
        runs = _Runs(text_words(text, view.wide))
        listed: dict[bytes, list[tuple[int, int]]] = {}  # listed run → (slot, max_words) listing
        for group in self._groups.values():
            for run, listing in _listed_runs(group, runs):
                listed.setdefault(run, []).extend(listing)
        for run, entries in listed.items():
            words = run.decode("utf-8", "surrogatepass").split(" ")
            detail = f"salted hash of a listed {len(words)}-word phrase"
            for start, end in _occurrences(text, words):
                original = view.original_span(start, end)
                for slot, max_words in entries:
                    if len(words) <= max_words:
                        scan.slots.setdefault(slot, []).append(Hit(*original, detail))


def _occurrences(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Where ``words`` stand in ``text`` as consecutive whole words, overlaps included.

    Hits are rare and posts long, so a listed run is looked for by its words
    rather than every word of the post being located.
    """
    found: list[tuple[int, int]] = []
    size = len(text)
    first, rest = words[0], words[1:]
    start = text.find(first)
    while start >= 0:
        end = start + len(first)
        if start == 0 or not is_word_char(text[start - 1]):
            for word in rest:
                if end < size and is_word_char(text[end]):
                    break  # the word so far runs on into more letters: not whole
                while end < size and not is_word_char(text[end]):
                    end += 1  # the separator: characters that are not word characters
                if not text.startswith(word, end):
                    break
                end += len(word)
            else:
                if end == size or not is_word_char(text[end]):
                    found.append((start, end))
        start = text.find(first, start + 1)
    return found


class _Runs:
    """A post's runs of 1, 2, ... words, keyed as ``phrase_key`` keys a phrase.

    Check values come without joining any run: CRC-32 continues over a
    run's next " word", so the run of k + 1 words starting at a word extends
    the run of k words that starts there.  Runs are joined only to be hashed.
    """

    __slots__ = ("_checks", "_crcs", "_spaced", "words")

    def __init__(self, words: list[bytes]) -> None:
        self.words = words
        self._spaced: list[bytes] = []
        self._crcs: list[list[int]] = []
        self._checks: list[list[int]] = []

    def checks(self, size: int) -> list[int]:
        """The check value of the run of ``size`` words that starts at each word."""
        while len(self._crcs) < size:
            if not self._crcs:
                crcs = list(map(zlib.crc32, self.words))
                self._spaced = list(map(b" ".__add__, self.words))
            else:
                crcs = list(map(zlib.crc32, self._spaced[len(self._crcs) :], self._crcs[-1]))
            self._crcs.append(crcs)
            self._checks.append(list(map(operator.rshift, crcs, repeat(_CHECK_SHIFT))))
        return self._checks[size - 1]

    def run(self, first: int, size: int) -> bytes:
        return b" ".join(self.words[first : first + size])

    def every(self, size: int) -> list[bytes]:
        windows = zip(*(self.words[k:] for k in range(size)), strict=False)  # short tails end it
        return list(map(b" ".join, windows))


def _listed_runs(
    group: _SaltGroup, runs: _Runs
) -> Iterator[tuple[bytes, tuple[tuple[int, int], ...]]]:
    """Each distinct run whose salted digest ``group`` lists, with the entries listing it."""
    salt, checks, lookup = group.salt, group.checks, group.lookup
    for size in range(1, group.max_words + 1):
        if checks is None:  # an entry without a check value: every run is a candidate
            grams = runs.every(size)
        else:
            values = runs.checks(size)
            if checks.isdisjoint(values):  # the usual case
                continue
            firsts = compress(count(), map(checks.__contains__, values))
            grams = [runs.run(first, size) for first in firsts]
        grams = list(dict.fromkeys(grams))  # a post repeats itself: hash each run once
        digests = [SHA256(salt + gram).digest() for gram in grams]
        if lookup.keys().isdisjoint(digests):
            continue
        for gram, digest in zip(grams, digests, strict=True):
            entries = lookup.get(digest)
            if entries is not None:
                yield gram, entries


@dataclass(frozen=True, slots=True)
class HashedMatcher:
    slot: int
    kind: ClassVar[str] = "hashed_phrases"
    required_literals: ClassVar[frozenset[int]] = frozenset()

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
