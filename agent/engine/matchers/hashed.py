"""Hashed phrase lists: the pack carries salted SHA-256 digests, never the phrases.

A phrase's key is its words in the folded view joined by single spaces, so
"Project  FALCON", "project-falcon" and "P r o j e c t falcon" share one key.
Rules with the same salt share one pass over the text's word n-grams, so a
pack should use one salt for all its lists (``postguard pack hash --salt``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import ClassVar

from agent.engine.matchers.base import Hit, Scan
from agent.engine.normalize import TextViews

WORD = re.compile(r"\w+")


def phrase_key(phrase: str) -> str:
    """The normalised form of a phrase that gets hashed."""
    return " ".join(WORD.findall(TextViews(phrase).folded.text))


def phrase_digest(salt: bytes, phrase: str) -> str:
    return hashlib.sha256(salt + phrase_key(phrase).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _SaltGroup:
    salt: bytes
    salted: hashlib._Hash  # sha256 fed with the salt, copied for each n-gram
    max_words: int = 1
    lookup: dict[bytes, list[tuple[int, int]]] = field(default_factory=dict)  # digest → (slot, n)


class HashedIndex:
    """Built at load, read-only afterwards."""

    def __init__(self) -> None:
        self._groups: dict[bytes, _SaltGroup] = {}

    def add(self, salt_hex: str, hashes: list[str], max_words: int, slot: int) -> None:
        salt = bytes.fromhex(salt_hex)
        group = self._groups.get(salt)
        if group is None:
            group = self._groups[salt] = _SaltGroup(salt, hashlib.sha256(salt))
        group.max_words = max(group.max_words, max_words)
        for digest_hex in hashes:
            group.lookup.setdefault(bytes.fromhex(digest_hex), []).append((slot, max_words))

    def scan(self, scan: Scan) -> None:
        if not self._groups:
            return
        text = scan.views.folded.text
        words: list[bytes] = list(map(str.encode, WORD.findall(text)))
        # n-grams[k - 1]: every k-word window, joined as phrase_key joins them.
        ngrams = [words]
        for size in range(2, max(g.max_words for g in self._groups.values()) + 1):
            windows = zip(*(words[k:] for k in range(size)), strict=False)  # shorter tails end it
            ngrams.append(list(map(b" ".join, windows)))
        spans: list[tuple[int, int]] | None = None
        for group in self._groups.values():
            listed = _listed_ngrams(group, ngrams)
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


def _listed_ngrams(group: _SaltGroup, ngrams: list[list[bytes]]) -> dict[bytes, bytes]:
    """The text's n-grams whose salted digest is listed, each with its digest.

    The cost is one hash per distinct n-gram: a post repeats its words, and the
    loop runs in C (map) but for the copy of the pre-hashed salt, which is
    cheaper than hashing the salt again.
    """
    unique: set[bytes] = set()
    for grams in ngrams[: group.max_words]:
        unique.update(grams)
    order = list(unique)
    copy = group.salted.copy

    def digest(gram: bytes) -> bytes:
        running = copy()
        running.update(gram)
        return running.digest()

    digests = list(map(digest, order))
    if group.lookup.keys().isdisjoint(digests):
        return {}
    return {gram: d for gram, d in zip(order, digests, strict=True) if d in group.lookup}


@dataclass(frozen=True, slots=True)
class HashedMatcher:
    slot: int
    kind: ClassVar[str] = "hashed_phrases"

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
