"""The term syntax of word lists: what one entry of a list (or of a rule's ``terms``) means.

=============  ==========================================================
``idiot``      the word or phrase, whole words, with its word forms
``=us``        exactly this word or phrase: no inflections
``fuck*``      any word that begins with ``fuck``
``$insult``    every term of the list ``insult``
``<mention>``  a token class (see :data:`TOKEN_CLASSES`)
=============  ==========================================================

A word or phrase may also name lists inside it: ``=$origin $people_noun`` is every
term of ``origin`` followed by every term of ``people_noun`` ("polish devs", "older
workers"), written out when the pack loads (:func:`compose`), so a compliance officer
reviews two short lists instead of their product.

Parsing is pure and shared by the pack loader (to report a bad term with its
file and line) and the compiler (to build the automaton keys).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

LIST_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A token class: found by a small regex per check rather than by the automaton,
# because its members cannot be listed (every @handle, every amount of money).
TOKEN_CLASSES = ("mention", "hashtag", "number", "money", "percent", "url", "email")
MIN_PREFIX_CHARS = 3  # "fu*" would match half the dictionary
# Phrases one term with lists inside may stand for: a product of lists grows fast, and
# every phrase is a key in the automaton.
MAX_COMPOSED_PHRASES = 20_000


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
    if text.startswith("$") and not any(c.isspace() for c in text):
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
    """The list names referenced by well-formed ``$name`` terms and inside phrases, in order."""
    names: list[str] = []
    for raw in raws:
        text = raw.strip()
        if text.startswith("$") and LIST_NAME.match(text[1:]):
            names.append(text[1:])
        else:
            names.extend(phrase_refs(text))
    return names


def phrase_refs(text: str) -> list[str]:
    """The lists named inside a phrase: its words that are ``$`` and a list name."""
    return [
        word[1:]
        for word in text.removeprefix("=").split()
        if word.startswith("$") and LIST_NAME.match(word[1:])
    ]


def compose(text: str, lists: Mapping[str, Sequence[str]]) -> list[str]:
    """Every phrase a term with lists inside stands for, without its ``=`` marker.

    Each ``$name`` word becomes each word or phrase of the list (and of the lists it
    includes); the other words stay as written. The lists must not include each other
    in a circle (the loader refuses that first).
    """
    phrases = [""]
    for options in composition(text, lists):
        phrases = [f"{head} {option}".strip() for head in phrases for option in options]
    return list(dict.fromkeys(phrases))


def composition(text: str, lists: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The choices for each word of ``text``, checked but not multiplied out.

    ``ValueError`` with a one-line reason when a list is unknown, holds a prefix or a
    token class (neither can sit inside a phrase), or the product passes
    :data:`MAX_COMPOSED_PHRASES`; the loader calls this to report a bad term.
    """
    parts: list[list[str]] = []
    total = 1
    for word in text.removeprefix("=").split():
        options = _phrases_of(word[1:], lists) if phrase_refs(word) else [word]
        total *= len(options)
        if total > MAX_COMPOSED_PHRASES:
            raise ValueError(
                f"{text!r} stands for more than {MAX_COMPOSED_PHRASES:,} phrases;"
                " split it or use two lists with near/within"
            )
        parts.append(options)
    return parts


def _phrases_of(name: str, lists: Mapping[str, Sequence[str]]) -> list[str]:
    if name not in lists:
        raise ValueError(f"unknown list ${name}")
    found: list[str] = []
    for raw in lists[name]:
        term = parse_term(raw)
        if term.kind is TermKind.LIST:
            found.extend(_phrases_of(term.value, lists))
        elif term.kind in (TermKind.WORDS, TermKind.EXACT):
            found.extend(compose(term.value, lists))
        else:
            raise ValueError(
                f"${name} is used inside a phrase, so it may hold only words and phrases,"
                f" not {raw.strip()!r}"
            )
    return list(dict.fromkeys(found))


def _has_word_char(text: str) -> bool:
    return any(c.isalnum() for c in text)
