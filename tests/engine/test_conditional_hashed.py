"""Conditional rules (trigger without a required companion) and hashed phrase lists."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.engine.matchers.hashed import SHA256, WORD, phrase_digest, phrase_key, text_words
from tests.engine.conftest import EngineFor, check, matched

DISCOUNT = r"""
match:
  type: conditional
  trigger: {type: pattern, regex: '(?i)\b(?:discount|promo)\s+code\b'}
  require: {type: phrases, phrases: ["#ad", "#sponsored", "#employee"], whole_word: false}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("use my discount code SAVE10", ["discount code"]),
        ("use my discount code SAVE10 #ad", []),
        ("#Sponsored: promo code inside", []),
        ("promo code A and discount code B", ["promo code", "discount code"]),
        ("nothing to disclose", []),
    ],
)
def test_conditional(engine_for: EngineFor, text: str, expected: list[str]) -> None:
    assert matched(check(engine_for(DISCOUNT), text)) == expected


SALT = "00112233445566778899aabbccddeeff"
WORDISH = [" ", "-", "é", "ß", "İ", "٣", "😀", "\ud800", "_", "a1", "“", "\u2003", "Ｆ", "x"]


def hashed_body(*phrases: str, max_words: int = 3) -> str:
    digests = ", ".join(f'"{phrase_digest(bytes.fromhex(SALT), p)}"' for p in phrases)
    return f"""
match:
  type: hashed_phrases
  salt: "{SALT}"
  hashes: [{digests}]
  max_words: {max_words}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Working on Project Falcon today", ["Project Falcon"]),
        ("PROJECT   FALCON!", ["PROJECT   FALCON"]),
        ("project-falcon launch", ["project-falcon"]),
        ("P r o j e c t falcon", ["P r o j e c t falcon"]),
        ("a falcon flew over the project", []),
        ("Globex signed", ["Globex"]),
        ("globexcorp", []),  # whole words only
    ],
)
def test_hashed_phrases(engine_for: EngineFor, text: str, expected: list[str]) -> None:
    engine = engine_for(hashed_body("Project Falcon", "Globex"))
    assert matched(check(engine, text)) == expected


def test_hashed_respects_max_words(engine_for: EngineFor) -> None:
    engine = engine_for(hashed_body("one two three", max_words=2))
    assert matched(check(engine, "one two three")) == []


def test_hashed_detail_never_shows_the_phrase(engine_for: EngineFor) -> None:
    finding = check(engine_for(hashed_body("Project Falcon")), "Project Falcon").findings[0]
    assert "falcon" not in finding.explanation.detail.lower()
    assert finding.explanation.matcher == "hashed_phrases"


def test_phrase_key_normalises() -> None:
    assert phrase_key("  Project\u00a0FALCON ") == "project falcon"
    assert phrase_key("ＡＣＭＥ-Corp") == "acme corp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Café Falcon rocks 🚀", ["Café Falcon"]),  # a non-ASCII word: split by the regex
        ("“Project Falcon” 🚀 ships", ["Project Falcon"]),  # non-ASCII separators only
        ("Project\u2003Falcon", ["Project\u2003Falcon"]),
    ],
)
def test_hashed_phrases_around_non_ascii(
    engine_for: EngineFor, text: str, expected: list[str]
) -> None:
    engine = engine_for(hashed_body("Project Falcon", "Café Falcon"))
    assert matched(check(engine, text)) == expected


def test_lists_with_different_salts_and_equal_max_words_both_match(
    engine_for: EngineFor,
) -> None:
    other_salt = "ffeeddccbbaa99887766554433221100"
    other = hashed_body("Globex").replace(SALT, other_salt)
    other = other.replace(
        phrase_digest(bytes.fromhex(SALT), "Globex"),
        phrase_digest(bytes.fromhex(other_salt), "Globex"),
    )
    engine = engine_for(hashed_body("Project Falcon"), other)
    assert matched(check(engine, "Globex and Project Falcon")) == ["Globex", "Project Falcon"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=6), st.sampled_from(WORDISH)), max_size=20))
def test_text_words_are_the_regex_words(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = [w.encode("utf-8", "surrogatepass") for w in WORD.findall(text)]
    assert text_words(text) == expected


def test_the_sha256_in_use_gives_hashlib_digests() -> None:
    for data in (b"", b"salt" * 20, bytes(range(256))):
        assert SHA256(data).digest() == hashlib.sha256(data).digest()
        running = SHA256(b"salt").copy()
        running.update(data)
        assert running.digest() == hashlib.sha256(b"salt" + data).digest()
        running.update(b" more")  # a digest leaves the state usable: runs share it
        assert running.digest() == hashlib.sha256(b"salt" + data + b" more").digest()
