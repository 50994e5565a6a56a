"""Phrase lists: positive and negative cases side by side."""

from __future__ import annotations

import pytest

from tests.engine.conftest import EngineFor, check, matched

DEFAULT = """\
match:
  type: phrases
  phrases: ["confidential", "internal only", "Project X"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This is confidential.", ["confidential"]),
        ("CONFIDENTIAL memo", ["CONFIDENTIAL"]),
        ("confidentiality agreement", []),  # whole word by default
        ("nonconfidential", []),
        ("internal   only", []),  # phrases match their own spacing
        ("for internal\nonly", ["internal\nonly"]),  # a line break or tab reads as a space
        ("internal\t only", []),
        ("for Internal Only eyes", ["Internal Only"]),
        ("c o n f i d e n t i a l", ["c o n f i d e n t i a l"]),  # letter-spaced
        ("c.o.n.f.i.d.e.n.t.i.a.l", ["c.o.n.f.i.d.e.n.t.i.a.l"]),
        ("con\u200bfiden\u00adtial", ["con\u200bfiden\u00adtial"]),  # zero-width, soft hyphen
        ("соnfidеntiаl", ["соnfidеntiаl"]),  # Cyrillic о, е, а
        ("ＣＯＮＦＩＤＥＮＴＩＡＬ", ["ＣＯＮＦＩＤＥＮＴＩＡＬ"]),  # full-width
        ("𝐜𝐨𝐧𝐟𝐢𝐝𝐞𝐧𝐭𝐢𝐚𝐥", ["𝐜𝐨𝐧𝐟𝐢𝐝𝐞𝐧𝐭𝐢𝐚𝐥"]),  # mathematical bold (astral)
        ("c̲o̲n̲f̲i̲d̲e̲n̲t̲i̲a̲l̲", ["c̲o̲n̲f̲i̲d̲e̲n̲t̲i̲a̲l̲"]),  # combining underline
        ("c0nfidential", []),  # leet is opt-in
        ("about project x today", ["project x"]),
        ("a b c d", []),
        ("", []),
    ],
)
def test_default_phrases(engine_for: EngineFor, text: str, expected: list[str]) -> None:
    assert matched(check(engine_for(DEFAULT), text)) == expected


LEET = """\
match:
  type: phrases
  phrases: ["idiot", "password"]
  leet: true
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you 1d10t", ["1d10t"]),
        ("p@ssw0rd", ["p@ssw0rd"]),
        ("Pa$$word", ["Pa$$word"]),
        ("idiot", ["idiot"]),
        ("idiomatic", []),
        ("1010", []),  # digits alone are numbers, not letters
    ],
)
def test_leet_phrases(engine_for: EngineFor, text: str, expected: list[str]) -> None:
    assert matched(check(engine_for(LEET), text)) == expected


CASED = """\
match:
  type: phrases
  phrases: ["ACME"]
  case_sensitive: true
"""
PARTIAL = """\
match:
  type: phrases
  phrases: ["#ad", "secret"]
  whole_word: false
"""


@pytest.mark.parametrize(
    ("body", "text", "expected"),
    [
        (CASED, "ACME rocks", ["ACME"]),
        (CASED, "acme rocks", []),
        (CASED, "ＡＣＭＥ rocks", ["ＡＣＭＥ"]),
        (PARTIAL, "topsecretstuff", ["secret"]),
        (PARTIAL, "nice #ad", ["#ad"]),
        (PARTIAL, "nothing", []),
    ],
)
def test_phrase_options(engine_for: EngineFor, body: str, text: str, expected: list[str]) -> None:
    assert matched(check(engine_for(body), text)) == expected


def test_exceptions_suppress_overlapping_findings(engine_for: EngineFor) -> None:
    engine = engine_for(
        """\
        match: {type: phrases, phrases: [password]}
        exceptions: ["password manager"]
        """
    )
    assert matched(check(engine, "use a Password Manager")) == []
    assert matched(check(engine, "my password manager; the password is x")) == ["password"]


def test_overlapping_hits_of_one_rule_collapse_to_the_longest(engine_for: EngineFor) -> None:
    engine = engine_for("match: {type: phrases, phrases: [confidential, strictly confidential]}")
    result = check(engine, "strictly confidential")
    assert matched(result) == ["strictly confidential"]


def test_same_phrase_in_two_rules_gives_two_findings(engine_for: EngineFor) -> None:
    body = "match: {type: phrases, phrases: [secret]}"
    result = check(engine_for(body, body), "a secret")
    assert sorted(f.rule_id for f in result.findings) == ["test.rule0", "test.rule1"]
