"""Hashed phrase lists: the pack carries salted SHA-256 digests, never the phrases.

A phrase's key is its words in the folded view joined by single spaces, so
"Project  FALCON", "project-falcon" and "P r o j e c t falcon" share one key.
Rules with the same salt share one pass over the text's word n-grams.
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
    max_words: int = 1
    lookup: dict[bytes, list[tuple[int, int]]] = field(default_factory=dict)  # digest → (slot, n)


class HashedIndex:
    """Built at load, read-only afterwards."""

    def __init__(self) -> None:
        self._groups: dict[bytes, _SaltGroup] = {}

    def add(self, salt_hex: str, hashes: list[str], max_words: int, slot: int) -> None:
        salt = bytes.fromhex(salt_hex)
        group = self._groups.setdefault(salt, _SaltGroup(salt))
        group.max_words = max(group.max_words, max_words)
        for digest_hex in hashes:
            group.lookup.setdefault(bytes.fromhex(digest_hex), []).append((slot, max_words))

    def scan(self, scan: Scan) -> None:
        if not self._groups:
            return
        view = scan.views.folded
        words = [(m.start(), m.end(), m.group().encode("utf-8")) for m in WORD.finditer(view.text)]
        count = len(words)
        for group in self._groups.values():
            base = hashlib.sha256(group.salt)
            for first in range(count):
                running = base.copy()
                for size in range(1, min(group.max_words, count - first) + 1):
                    if size > 1:
                        running.update(b" ")
                    running.update(words[first + size - 1][2])
                    targets = group.lookup.get(running.digest())
                    if not targets:
                        continue
                    start, end = view.original_span(words[first][0], words[first + size - 1][1])
                    for slot, max_words in targets:
                        if size <= max_words:
                            scan.slots.setdefault(slot, []).append(
                                Hit(start, end, f"salted hash of a listed {size}-word phrase")
                            )


@dataclass(frozen=True, slots=True)
class HashedMatcher:
    slot: int
    kind: ClassVar[str] = "hashed_phrases"

    def find(self, scan: Scan) -> list[Hit]:
        return scan.hits(self.slot)
