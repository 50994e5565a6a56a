"""The term syntax of word lists: what one entry of a list (or of a rule's ``terms``) means.

=============  ==========================================================
``idiot``      the word or phrase, whole words, with its word forms
``=us``        exactly this word or phrase: no inflections
``fuck*``      any word that begins with ``fuck``
``$insult``    every term of the list ``insult``
``<mention>``  a token class (see :data:`TOKEN_CLASSES`)
=============  ==========================================================

Parsing is pure and shared by the pack loader (to report a bad term with its
file and line) and the compiler (to build the automaton keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

LIST_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A token class: found by a small regex per check rather than by the automaton,
# because its members cannot be listed (every @handle, every amount of money).
TOKEN_CLASSES = ("mention", "hashtag", "number", "money", "percent", "url", "email")
MIN_PREFIX_CHARS = 3  # "fu*" would match half the dictionary


class TermKind(Enum):
    WORDS = "words"  # a word or phrase with word forms
    EXACT = "exact"  # a word or phrase, no inflections
    PREFIX = "prefix"  # a word that begins with the text
    LIST = "list"  # a reference to a named list
    CLASS = "class"  # a token class


@dataclass(frozen=True, slots=True)
class Term:
    kind: TermKind
    value: str  # the text (without its marker), the list name or the class name


def parse_term(raw: str) -> Term:
    """Parse one term; ``ValueError`` with a one-line reason when it is malformed."""
    text = raw.strip()
    if not text:
        raise ValueError("a term must not be blank")
    if text.startswith("$"):
        name = text[1:]
        if not LIST_NAME.match(name):
            raise ValueError(
                f"{raw!r}: a list reference is $ and a list name ([a-z][a-z0-9_]*, max 64)"
            )
        return Term(TermKind.LIST, name)
    if text.startswith("<") and text.endswith(">"):
        name = text[1:-1]
        if name not in TOKEN_CLASSES:
            raise ValueError(
                f"{raw!r}: unknown token class; expected one of "
                + ", ".join(f"<{c}>" for c in TOKEN_CLASSES)
            )
        return Term(TermKind.CLASS, name)
    if text.startswith("="):
        body = text[1:].strip()
        if not _has_word_char(body):
            raise ValueError(f"{raw!r}: an exact term needs a word after '='")
        return Term(TermKind.EXACT, body)
    if text.endswith("*"):
        body = text[:-1]
        if "*" in body or " " in body.strip():
            raise ValueError(f"{raw!r}: a prefix term is one word followed by a single '*'")
        if sum(c.isalnum() for c in body) < MIN_PREFIX_CHARS:
            raise ValueError(
                f"{raw!r}: a prefix needs at least {MIN_PREFIX_CHARS} letters before '*'"
            )
        return Term(TermKind.PREFIX, body)
    if not _has_word_char(text):
        raise ValueError(f"{raw!r}: a term needs at least one letter or digit")
    return Term(TermKind.WORDS, text)


def list_refs(raws: list[str] | tuple[str, ...]) -> list[str]:
    """The list names referenced by well-formed ``$name`` terms, in order."""
    names: list[str] = []
    for raw in raws:
        text = raw.strip()
        if text.startswith("$") and LIST_NAME.match(text[1:]):
            names.append(text[1:])
    return names


def _has_word_char(text: str) -> bool:
    return any(c.isalnum() for c in text)
