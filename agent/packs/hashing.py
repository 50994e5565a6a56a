"""Turn a plain list of confidential phrases into ``hashed_phrases`` entries.

The pack then carries only ``sha256(salt + key)`` of each phrase and its
20-bit check value, where the key is the phrase's words as the engine sees them
(normalised, case-folded, joined by single spaces); see
:mod:`agent.engine.matchers.hashed` for what each is for.
"""

from __future__ import annotations

import secrets

from agent.engine.matchers.hashed import phrase_digest, phrase_entry, phrase_key
from agent.packs.errors import PackError
from agent.packs.models import (
    MAX_HASHED_WORDS,
    MAX_HASHES_PER_RULE,
    MIN_SALT_HEX,
    ConditionalMatch,
    HashedPhrasesMatch,
    Match,
)

SALT_BYTES = 16
# What a published pack carries instead of each example of a hashed rule: a match example
# has to name a listed phrase, so the plain text stays with the pack's source.
WITHHELD_EXAMPLE = "(withheld: a hashed rule's examples are run by pack build, not published)"


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def parse_phrase_list(text: str) -> list[str]:
    """One phrase a line; blank lines and ``#`` comments are skipped."""
    phrases = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            phrases.append(line)
    return phrases


def hashed_entries(
    phrases: list[str], salt_hex: str, *, check_values: bool = True
) -> tuple[list[str], int]:
    """Sorted unique entries (so the order leaks nothing) and the max word count.

    An entry is ``<digest>:<check>``, or the bare digest without ``check_values``.
    """
    if len(salt_hex) < MIN_SALT_HEX or len(salt_hex) % 2:
        raise PackError(f"salt must be at least {MIN_SALT_HEX} hex digits, an even number")
    try:
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        raise PackError("salt must be hexadecimal") from None
    if not phrases:
        raise PackError("no phrases given; expected one phrase a line")
    if len(phrases) > MAX_HASHES_PER_RULE:
        raise PackError(f"{len(phrases)} phrases; the limit is {MAX_HASHES_PER_RULE}")
    digests: set[str] = set()
    max_words = 1
    for phrase in phrases:
        key = phrase_key(phrase)
        words = len(key.split())
        if words == 0:
            raise PackError(f"phrase {phrase!r} has no words after normalisation")
        if words > MAX_HASHED_WORDS:
            raise PackError(f"phrase {phrase!r} has {words} words; the limit is {MAX_HASHED_WORDS}")
        max_words = max(max_words, words)
        digests.add(phrase_entry(salt, phrase) if check_values else phrase_digest(salt, phrase))
    return sorted(digests), max_words


def render_yaml(digests: list[str], salt_hex: str, max_words: int) -> str:
    lines = [
        f"# {len(digests)} hashed phrases; paste under a rule (keep the salt to add more later)",
        "match:",
        "  type: hashed_phrases",
        f'  salt: "{salt_hex.lower()}"',
        f"  max_words: {max_words}",
        "  hashes:",
    ]
    lines.extend(f'    - "{digest}"' for digest in digests)
    return "\n".join(lines) + "\n"


def is_hashed(match: Match) -> bool:
    """Whether a rule's match is, or holds, a ``hashed_phrases`` matcher."""
    if isinstance(match, HashedPhrasesMatch):
        return True
    if isinstance(match, ConditionalMatch):
        return is_hashed(match.trigger) or is_hashed(match.require)
    return False
