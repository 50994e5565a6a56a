"""Conditional rules (trigger without a required companion) and hashed phrase lists."""

from __future__ import annotations

import pytest

from agent.engine.matchers.hashed import phrase_digest, phrase_key
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
