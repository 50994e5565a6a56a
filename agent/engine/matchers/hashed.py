"""Hashed phrase lists: the pack carries salted SHA-256 digests, never the phrases.

A phrase's key is its words in the folded view joined by single spaces, so
"Project  FALCON", "project-falcon" and "P r o j e c t falcon" share one key.
Rules with the same salt share one pass over the text's word n-grams, so a
pack should use one salt for all its lists (``postguard pack hash --salt``).

The check hashes every run of 1..max_words words once per salt; nothing
cheaper may decide which runs to hash (a first-word or length filter would
tell a reader of the pack more than the digests do), so the cost is kept
down per hash instead: words are split without a regex when the text allows
it, the distinct runs are collected once and each is hashed once per salt,
and the hash is CPython's built-in SHA-256, whose per-call cost on a
one-block input is below OpenSSL's (same digests).
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import TextViews

WORD = re.compile(r"\w+")
_ASCII_BYTES = bytes(range(128))
_NON_WORD_BYTES = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c) == "_"))
_TO_SPACE = bytes.maketrans(_NON_WORD_BYTES, b" " * len(_NON_WORD_BYTES))


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


def text_words(text: str) -> list[bytes]:
    """The UTF-8 words of ``text`` as ``WORD`` finds them, split the cheapest way."""
    if not text.isascii():
        # Only the non-ASCII characters, found in C: a regex reads 3,000 wide
        # characters slower than this deletes them.
        utf8 = text.encode("utf-8", "surrogatepass")
        others = utf8.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        if WORD.search(others) is not None:
            return list(map(str.encode, WORD.findall(text)))
    # Every character is an ASCII word character or separates words ("?" does too).
    return text.encode("ascii", "replace").translate(_TO_SPACE).split()


def phrase_key(phrase: str) -> str:
    """The normalised form of a phrase that gets hashed."""
    return " ".join(WORD.findall(TextViews(phrase).folded.text))


def phrase_digest(salt: bytes, phrase: str) -> str:
    return hashlib.sha256(salt + phrase_key(phrase).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _SaltGroup:
    salt: bytes
    salted: _Hash  # SHA256 fed with the salt, copied for each n-gram
    max_words: int = 1
    lookup: dict[bytes, list[tuple[int, int]]] = field(default_factory=dict)  # digest → (slot, n)

    def __reduce__(self) -> tuple[object, ...]:
        # Hash objects do not pickle; the compiled-engine cache re-feeds the salt instead.
        return (_restore_group, (self.salt, self.max_words, self.lookup))


def _restore_group(
    salt: bytes, max_words: int, lookup: dict[bytes, list[tuple[int, int]]]
) -> _SaltGroup:
    return _SaltGroup(salt, SHA256(salt), max_words, lookup)


class HashedIndex:
    """Built at load, read-only afterwards."""

    def __init__(self) -> None:
        self._groups: dict[bytes, _SaltGroup] = {}

    def add(self, salt_hex: str, hashes: list[str], max_words: int, slot: int) -> None:
        salt = bytes.fromhex(salt_hex)
        group = self._groups.get(salt)
        if group is None:
            group = self._groups[salt] = _SaltGroup(salt, SHA256(salt))
        group.max_words = max(group.max_words, max_words)
        for digest_hex in hashes:
            group.lookup.setdefault(bytes.fromhex(digest_hex), []).append((slot, max_words))

    def scan(self, scan: Scan) -> None:
        if not self._groups:
            return
        text = scan.views.folded.text
        words = text_words(text)
        # n-grams[k - 1]: every k-word window, joined as phrase_key joins them.
        ngrams = [words]
        for size in range(2, max(g.max_words for g in self._groups.values()) + 1):
            windows = zip(*(words[k:] for k in range(size)), strict=False)  # shorter tails end it
            ngrams.append(list(map(b" ".join, windows)))
        spans: list[tuple[int, int]] | None = None
        distinct: dict[int, list[bytes]] = {}  # by max_words: salts with equal ones share it
        for group in self._groups.values():
            grams = distinct.get(group.max_words)
            if grams is None:
                grams = distinct[group.max_words] = list(set().union(*ngrams[: group.max_words]))
            listed = _listed_ngrams(group, grams)
            if not listed:
                continue
            if spans is None:
                spans = [found.span() for found in WORD.finditer(text)]
            self._record(scan, group, ngrams, listed, spans)

    @staticmethod
    def _record(
        scan: Scan,
        group: _SaltGroup,
        ngrams: list[list[bytes]],
        listed: dict[bytes, bytes],
        spans: list[tuple[int, int]],
    ) -> None:
        view = scan.views.folded
        for size, grams in enumerate(ngrams[: group.max_words], start=1):
            for first, gram in enumerate(grams):
                digest = listed.get(gram)
                if digest is None:
                    continue
                start, end = view.original_span(spans[first][0], spans[first + size - 1][1])
                for slot, max_words in group.lookup[digest]:
                    if size <= max_words:
                        scan.slots.setdefault(slot, []).append(
                            Hit(start, end, f"salted hash of a listed {size}-word phrase")
                        )


def _listed_ngrams(group: _SaltGroup, grams: list[bytes]) -> dict[bytes, bytes]:
    """Those of the distinct ``grams`` whose salted digest is listed, with the digest.

    The cost is one hash per distinct n-gram (a post repeats its words): a copy
    of the state that already absorbed the salt, the n-gram, the digest.  (One
    state per first word, updated word by word, hashes more runs than there
    are distinct ones, and measured no faster.)
    """

    def digest(gram: bytes, copy: Callable[[], _Hash] = group.salted.copy) -> bytes:
        running = copy()
        running.update(gram)
        return running.digest()

    digests = list(map(digest, grams))
    if group.lookup.keys().isdisjoint(digests):
        return {}
    return {gram: d for gram, d in zip(grams, digests, strict=True) if d in group.lookup}


@dataclass(frozen=True, slots=True)
class HashedMatcher:
    slot: int
    kind: ClassVar[str] = "hashed_phrases"

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
