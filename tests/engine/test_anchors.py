"""Where a regex may start: derived at load, and trying only there finds what a search finds."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.engine.anchors import (
    SPACES,
    UNCASED,
    StartGuard,
    anchor_prefixes,
    fold_for_anchors,
    matches_at,
    start_guard,
)
from agent.engine.matchers.base import Scan
from agent.engine.normalize import TextViews
from agent.engine.text_index import TextIndex
from tests.engine.regex_texts import EXAMPLES, REGEXES, texts_for

ALL_CHARS = "".join(map(chr, range(sys.maxunicode + 1)))


@pytest.mark.parametrize(
    ("regex", "prefixes"),
    [
        (r"\b(?i:women|men)\b", {"women", "men"}),
        (r"(?:we|the)\s+know", {"we ", "the "}),  # \s is one character of the folded text
        (r"colou?r", {"color", "colour"}),  # an optional item goes both ways
        (r"\bthe\b|\bthem\b", {"the"}),  # "them" starts with "the": already proposed
        (r"(?<![\w#])#ad\b", {"#ad"}),  # look-behinds are zero-width
        (r"(?=\w)ab", {"ab"}),
        (r"(?:ab)*c", {"ab", "c"}),  # a repeat may not be there, and may go on
        (r"(?:ab)+c", {"ab"}),
        (r"AKIA[0-9A-Z]{16}", {"akia"}),  # case-sensitive literals are proposed folded
        (r"organi[sz]e", {"organise", "organize"}),  # a small class expands
        (r"I['’]m", {"i'm", "i’m"}),  # typographic quotes have no case
        (r"(?x) we \  are", {"we are"}),
        (r"(?i)Éclair", {"éclair"}),  # an accented Latin letter is its lower case
        (r"(?i)confidential", {"confiden"}),  # prefixes stop at eight characters
        (r"(a)\1", {"a"}),
        (r"(?<!\d)\d{3}-\d{4}", set("0123456789")),  # \d is ten folded characters
        (
            r"[3-4]\d",
            {f"{a}{b}" for a in "34" for b in "0123456789"},
        ),  # a back-reference after a literal ends the prefix there
    ],
)
def test_anchorable(regex: str, prefixes: set[str]) -> None:
    assert anchor_prefixes(regex) == prefixes


@pytest.mark.parametrize(
    "regex",
    [
        r"^abc",  # `match` at a position treats ^ unlike a search does
        r"(?m)^abc",
        r"\Aabc",
        r"[a-z]+\.corp",  # a wide class
        r"[0-9A-F]{8}",  # a class of more than ten characters
        r"\w+@example",
        r".abc",
        r"x|\S",  # one branch starts with anything
        r"a?",  # the empty match
        r"(?:ab)?",
        r"(a)?\1b",  # a back-reference may come first
        r"σχήμα",  # a cased letter with more than one case twin (σ, ς, Σ)
        r"[^a]bc",
    ],
)
def test_not_anchorable(regex: str) -> None:
    assert anchor_prefixes(regex) is None


def test_every_character_case_insensitively_equal_to_ascii_folds_to_it() -> None:
    """``re`` equates ``K``, ``ſ``, ``ı``, ``İ`` with ASCII letters; the fold must too."""
    ascii_twin = re.compile(r"(?i)[\x00-\x7f]")
    twins = [c for c in ALL_CHARS[128:] if ascii_twin.fullmatch(c)]
    assert twins  # the check below would pass vacuously otherwise
    for char in twins:
        folded = fold_for_anchors(char)
        assert folded.isascii() and re.fullmatch("(?i)" + re.escape(folded), char), char


def test_folding_keeps_every_characters_length() -> None:
    """So anchoring never has to fall back to a full search today (the guard stays)."""
    folded = fold_for_anchors(ALL_CHARS)
    assert len(folded) == len(ALL_CHARS)


def test_every_digit_folds_to_its_ascii_digit() -> None:
    digits = [c for c in ALL_CHARS if re.match(r"\d", c)]
    assert len(digits) > 600
    assert fold_for_anchors("".join(digits)) == "".join(str(int(c)) for c in digits)


def test_spaces_are_what_backslash_s_matches() -> None:
    space = re.compile(r"\s")
    assert {c for c in ALL_CHARS if space.match(c)} == set(SPACES) | {" "}
    assert set(fold_for_anchors(SPACES)) == {" "}


def test_uncased_prefix_characters_match_only_themselves() -> None:
    uncased = re.compile("(?i)[" + re.escape(UNCASED) + "]")
    assert {c for c in ALL_CHARS if uncased.fullmatch(c)} == set(UNCASED)
    assert fold_for_anchors(UNCASED) == UNCASED


ANCHORED = [r for r in REGEXES if anchor_prefixes(r) is not None]


def test_most_bundled_regexes_are_anchored() -> None:
    # Structural ids (codice fiscale, IBAN, NINO) start with a letter class and cannot be
    # anchored; everything that begins with words is a word list now, not a regex.
    assert len(ANCHORED) >= 0.7 * len(REGEXES)


class _Anchored:
    """One regex behind its own prefix index, as the engine runs it."""

    def __init__(self, regex: str) -> None:
        prefixes = anchor_prefixes(regex)
        assert prefixes is not None
        self.regex = re.compile(regex)
        self.index = TextIndex()
        self.slot = self.index.add_prefixes(prefixes)
        self.index.freeze()
        self.guard = start_guard(regex)

    def spans(self, text: str) -> list[tuple[tuple[int, int], ...]]:
        folded = fold_for_anchors(text)
        assert len(folded) == len(text)
        starts = self.index.scan(folded).starts.get(self.slot, [])
        if self.guard is not None:
            starts = self.guard.keep(starts, text)
        return [_all_spans(m) for m in matches_at(self.regex.match, text, starts)]

    def expected(self, text: str) -> list[tuple[tuple[int, int], ...]]:
        return [_all_spans(m) for m in self.regex.finditer(text)]


def _all_spans(found: re.Match[str]) -> tuple[tuple[int, int], ...]:
    return tuple(found.span(g) for g in range(len(found.groups()) + 1))


@pytest.mark.parametrize("regex", ANCHORED)
def test_anchored_matches_equal_a_full_search_on_the_examples(regex: str) -> None:
    anchored = _Anchored(regex)
    for text in EXAMPLES:
        cased = TextViews(text).cased.text
        assert anchored.spans(cased) == anchored.expected(cased), text


@pytest.mark.parametrize("regex", ANCHORED)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_anchored_matches_equal_a_full_search(regex: str, data: st.DataObject) -> None:
    anchored = _Anchored(regex)
    text = data.draw(texts_for(regex))
    assert anchored.spans(text) == anchored.expected(text)


@pytest.mark.parametrize(
    ("regex", "guard"),
    [
        (r"\bssn\b", StartGuard(boundary=True)),
        (r"(?<![\d-])\d{3}-\d{4}", StartGuard(frozenset("-"), digits=True)),
        (r"(?<![\w+/.-])(?<![A-Z]{4} )\d+", StartGuard(frozenset("+/.-"), words=True)),
        (r"(?x) (?: \b(?i:dob) | \bborn )", StartGuard(boundary=True)),
        (r"(?:(?<![\w.])\d+|(?<![\d.])x)", StartGuard(frozenset("."), digits=True)),
        (r"(?:(?<!\w)\d+|\bborn)", StartGuard(boundary=True)),
    ],
)
def test_what_a_match_refuses_before_its_start(regex: str, guard: StartGuard) -> None:
    assert start_guard(regex) == guard


@pytest.mark.parametrize(
    "regex",
    [
        r"ssn\b",  # the boundary comes after a character is read
        r"(?:\bssn|ssn)",  # one branch takes any start
        r"(?<![^\w])x",  # a negated class: not read
        r"(?<!ab)x",  # two characters behind: not one class
        r"(?<=\w)x",  # a look-behind that must hold, not one that must fail
    ],
)
def test_no_guard_where_a_start_may_follow_anything(regex: str) -> None:
    assert start_guard(regex) is None


def test_a_guard_drops_only_starts_the_regex_refuses() -> None:
    text = "in 2024 -555 x555 _555 é555 (555"
    starts = [m.start() for m in re.finditer(r"\d", text)]
    kept = StartGuard(frozenset("-"), digits=True).keep(starts, text)
    assert [text[at - 1] for at in kept] == [" ", "x", "_", "é", "("]
    # \b refuses a start inside a word only: "(555" and " 2024" begin words
    kept = StartGuard(boundary=True).keep(starts, text)
    assert [text[at - 1] for at in kept] == [" ", "-", "("]


def test_without_an_index_the_scan_searches_everywhere() -> None:
    assert Scan(TextViews("we are here")).anchor_starts(1) is None


def test_a_slot_without_candidates_has_no_starts() -> None:
    index = TextIndex()
    slot = index.add_prefixes(frozenset({"zebra"}))
    index.freeze()
    scan = Scan(TextViews("We are here. ZEBRA!"), index)
    assert scan.anchor_starts(slot) == [13]
    assert scan.anchor_starts(slot + 1) == []


def test_one_pass_finds_literal_sets_and_prefixes_sharing_a_string() -> None:
    index = TextIndex()
    literal_slot = index.add_literals(frozenset({"here", "there"}))
    other_literal = index.add_literals(frozenset({"absent"}))
    anchor_slot = index.add_prefixes(frozenset({"here", "we "}))
    index.freeze()
    hits = index.scan(fold_for_anchors("We\tare HERE and there"))
    assert hits.literals == {literal_slot}
    assert other_literal not in hits.literals
    assert hits.starts == {anchor_slot: [0, 7, 17]}  # "there" holds "here" too
