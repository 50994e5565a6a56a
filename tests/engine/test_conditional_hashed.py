"""Conditional rules (trigger without a required companion) and hashed phrase lists."""

from __future__ import annotations

import hashlib
import pickle
import re
import zlib
from collections.abc import Callable

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.engine import Engine
from agent.engine.matchers.base import Scan
from agent.engine.matchers.hashed import (
    SHA256,
    WORD,
    phrase_check,
    phrase_digest,
    phrase_entry,
    phrase_key,
    text_words,
)
from agent.engine.normalize import TextViews
from agent.packs.compile import compile_dirs
from agent.paths import EXAMPLE_COMPANY
from tests.engine.conftest import EngineFor, check, matched
from tests.engine.packfiles import rule_yaml, write_pack

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


Entry = Callable[[bytes, str], str]
# Entries with check values, as `pack hash` writes them, and bare digests, as older packs have.
FORMS: dict[str, Entry] = {"checked": phrase_entry, "bare": phrase_digest}


def hashed_body(*phrases: str, max_words: int = 3, entry: Entry = phrase_entry) -> str:
    digests = ", ".join(f'"{entry(bytes.fromhex(SALT), p)}"' for p in phrases)
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
@pytest.mark.parametrize("form", FORMS)
def test_hashed_phrases(engine_for: EngineFor, text: str, expected: list[str], form: str) -> None:
    engine = engine_for(hashed_body("Project Falcon", "Globex", entry=FORMS[form]))
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
    other = hashed_body("Globex", entry=phrase_digest).replace(SALT, other_salt)
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


def test_the_check_value_is_crc32_of_the_key() -> None:
    salt = bytes.fromhex(SALT)
    key = phrase_key("Project  FALCON").encode()
    assert phrase_check("Project  FALCON") == f"{zlib.crc32(key) >> 12:05x}"
    assert (
        phrase_entry(salt, "Globex") == f"{phrase_digest(salt, 'Globex')}:{phrase_check('Globex')}"
    )


def _wrong_check(salt: bytes, phrase: str) -> str:
    right = int(phrase_check(phrase), 16)
    return f"{phrase_digest(salt, phrase)}:{right ^ 1:05x}"


def test_a_run_whose_check_value_is_not_listed_is_never_hashed(engine_for: EngineFor) -> None:
    # The digest is right but the check value is not: only a filter that works hides it.
    body = hashed_body("Project Falcon", "Globex", entry=phrase_entry)
    wrong = _wrong_check(bytes.fromhex(SALT), "Project Falcon")
    body = body.replace(phrase_entry(bytes.fromhex(SALT), "Project Falcon"), wrong)
    engine = engine_for(body)
    assert matched(check(engine, "Project Falcon meets Globex")) == ["Globex"]
    loaded = pickle.loads(pickle.dumps(engine))  # the compiled-engine cache keeps the filter
    assert matched(check(loaded, "Project Falcon meets Globex")) == ["Globex"]


def test_one_bare_digest_makes_its_salt_hash_every_run(engine_for: EngineFor) -> None:
    salt = bytes.fromhex(SALT)
    body = hashed_body("Project Falcon", "Globex", entry=phrase_entry)
    body = body.replace(phrase_entry(salt, "Project Falcon"), _wrong_check(salt, "Project Falcon"))
    body = body.replace(phrase_entry(salt, "Globex"), phrase_digest(salt, "Globex"))
    assert matched(check(engine_for(body), "Project Falcon meets Globex")) == [
        "Project Falcon",
        "Globex",
    ]


VOCABULARY = ["project", "falcon", "globex", "corp", "the", "Falcon-", "ß", "é", "  ", "!", "42"]
VOCABULARY += ["corps", "x42", "42x", "_the", "falcon_", "projectfalcon", "Glöbex"]
LISTED = ["Project Falcon", "globex corp", "the falcon project", "42", "ss", "42 42"]


@pytest.fixture(scope="module")
def both_forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Engine]:
    engines = {}
    for form, entry in FORMS.items():
        rule = rule_yaml(hashed_body(*LISTED, entry=entry), id="test.hashed")
        engines[form] = compile_dirs([write_pack(tmp_path_factory.mktemp(form), [rule])])
    return engines


POSTS = st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(POSTS)
def test_check_values_never_change_what_is_found(both_forms: dict[str, Engine], text: str) -> None:
    assert check(both_forms["checked"], text) == check(both_forms["bare"], text)


def _listed_runs(text: str) -> list[tuple[int, int]]:
    """Every run of consecutive words whose key is listed: word by word, the slow way."""
    words = list(WORD.finditer(text))
    keys = {phrase_key(phrase) for phrase in LISTED}
    spans = []
    for first in range(len(words)):
        for last in range(first, min(first + 3, len(words))):
            if " ".join(w.group() for w in words[first : last + 1]) in keys:
                spans.append((words[first].start(), words[last].end()))
    return spans


@settings(max_examples=300, deadline=None)
@given(POSTS)
def test_hashed_hits_are_every_listed_run(both_forms: dict[str, Engine], text: str) -> None:
    scan = Scan(TextViews(text))
    both_forms["checked"]._hashed.scan(scan)
    found = sorted((hit.start, hit.end) for hits in scan.slots.values() for hit in hits)
    folded = scan.views.folded
    expected = sorted(folded.original_span(*span) for span in _listed_runs(folded.text))
    assert found == expected


def test_the_example_hashed_lists_carry_check_values() -> None:
    pack = EXAMPLE_COMPANY / "rules" / "confidential.yaml"
    rules = yaml.safe_load(pack.read_text(encoding="utf-8"))["rules"]
    entries = [
        e for r in rules if r["match"]["type"] == "hashed_phrases" for e in r["match"]["hashes"]
    ]
    assert len(entries) == 18
    assert all(re.fullmatch(r"[0-9a-f]{64}:[0-9a-f]{5}", entry) for entry in entries)
