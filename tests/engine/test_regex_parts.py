"""A regex searched as ordered parts finds exactly what one search of the regex finds."""

from __future__ import annotations

import sys
import time

import pytest
import regex as regex_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.engine.anchors import LATIN_LETTERS, anchor_prefixes, fold_for_anchors
from agent.engine.pack_regex import RULE_TIME_LIMIT_S, compile_pack_regex
from agent.engine.regex_parts import Finder, leftmost_first, split
from agent.engine.regex_source import global_flags, group_names, parse, shape, source
from tests.engine.conftest import EngineFor, check
from tests.engine.regex_texts import EXAMPLES, REGEXES, texts_for

Spans = list[tuple[tuple[int, int], dict[str, tuple[int, int]]]]

# Shapes that split, with overlaps and ties between the parts in mind.
SYNTHETIC = [
    r"[a-z]{1,4}@x|xa@|a@xy",
    r"(?:[\w.]{1,8}@[a-z]+|admin:|root/)(?P<value>[a-z0-9]{2,})",
    r"(?<![\w-])(?:[a-z][a-z0-9]{0,3}_)?(?i:admin|root)(?::|/)(?P<value>\w+)",
    r"\b(?:[a-f0-9]{4}-us\d|x\d{2}:[A-Z]{2}|(?=\w{0,3}[A-Z])[\w-]{3,6}\.[\w-]{2})",
    r"(?:(?P<value>[a-z]+)@|:(?P<other>\d+))",  # a group in one part only
    r"(?:[a-z]+?_)??ab(?:x|y)",  # lazy: without the optional item first
    r"(?i:[a-z]{2}@|é[a-z])\w",
    r"(?:([a-z])\1@|x[a-z]{2}@)[a-z]",  # a back-reference within its own part
]
SPLIT = [r for r in REGEXES if len(split(r)) > 1]
ALPHABET = st.sampled_from(["a", "b", "x", "y", "A", "@", ":", "_", "-", ".", "/", "1", " ", "é"])


def _expected(pattern: str, text: str) -> Spans:
    compiled = compile_pack_regex(pattern)
    return [_spans(m, compiled.groupindex) for m in compiled.finditer(text)]


def _by_parts(pattern: str, text: str) -> Spans:
    parts = [compile_pack_regex(part) for part in split(pattern)]
    finders: list[Finder] = [lambda pos, part=part: part.search(text, pos) for part in parts]
    names = compile_pack_regex(pattern).groupindex
    return [_spans(m, names) for m in leftmost_first(finders)]


def _spans(
    found: regex_module.Match[str], names: dict[str, int]
) -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
    own = found.re.groupindex
    return found.span(), {n: found.span(n) if n in own else (-1, -1) for n in names}


def test_bundled_regexes_that_start_with_a_class_are_split() -> None:
    assert len(SPLIT) >= 3  # the checks below would pass vacuously otherwise


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        (r"[a-z]{1,4}@x|admin:", [r"(?:[a-z]){1,4}\x40x", r"admin\x3a"]),
        (r"(?:[a-z]_)?admin", [r"[a-z]_admin", "admin"]),
        (r"(?:[a-z]_)??admin", ["admin", r"[a-z]_admin"]),
        (r"(?i)\b(?:[a-z]{2}@|ab)c", [r"(?i)\b(?:[a-z]){2,2}\x40c", r"(?i)\babc"]),
        (r"(?x) (?P<v> [a-z]+@ | x: ) y", [r"(?P<v>(?:[a-z]){1,}\x40)y", r"(?P<v>x\x3a)y"]),
    ],
)
def test_split_at_the_first_choice(pattern: str, parts: list[str]) -> None:
    assert list(split(pattern)) == parts


@pytest.mark.parametrize(
    "pattern",
    [
        r"\b(?:admin|root):",  # anchored already
        r"[a-z]+(?:@x|:y)",  # a choice before the alternation: the order would change
        r"[a-z]{1,4}@x|[A-Z]{2}:y",  # two parts searched everywhere cost two searches
        r"(?:[a-z]_)?+admin",  # possessive: no way back to try without it
        r"(?:[a-z]@|)[a-z]",  # ... and so would these
        r"[a-z]@|(?:x)?",  # a part that matches the empty string
    ],
)
def test_not_split(pattern: str) -> None:
    assert split(pattern) == (pattern,)


@pytest.mark.parametrize("pattern", REGEXES)
def test_every_bundled_regex_is_written_back_as_it_parses(pattern: str) -> None:
    parsed = parse(pattern)
    written = source(list(parsed.data), global_flags(parsed), group_names(parsed))
    again = parse(written)
    assert shape(again.data) == shape(parsed.data)
    assert again.state.groupdict == parsed.state.groupdict
    compile_pack_regex(written)


@pytest.mark.parametrize("pattern", SPLIT)
def test_parts_find_what_the_regex_finds_on_the_examples(pattern: str) -> None:
    for text in EXAMPLES:
        assert _by_parts(pattern, text) == _expected(pattern, text), text


@pytest.mark.parametrize("pattern", SPLIT)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parts_find_what_the_regex_finds(pattern: str, data: st.DataObject) -> None:
    text = data.draw(texts_for(pattern))
    assert _by_parts(pattern, text) == _expected(pattern, text)


@pytest.mark.parametrize("pattern", SYNTHETIC)
@settings(max_examples=300, deadline=None)
@given(text=st.lists(ALPHABET, max_size=40).map("".join))
def test_overlapping_parts_merge_as_one_search(pattern: str, text: str) -> None:
    assert len(split(pattern)) > 1
    assert _by_parts(pattern, text) == _expected(pattern, text)


def test_accented_latin_letters_fold_to_their_only_case_twin() -> None:
    """A prefix may hold ``é``: every character a case-insensitive ``é`` matches folds to it."""
    letters = "".join(sorted(LATIN_LETTERS))
    either = regex_module.compile(f"(?i)[{letters}]")
    for char in map(chr, range(sys.maxunicode + 1)):
        if either.fullmatch(char):
            folded = fold_for_anchors(char)
            assert folded in LATIN_LETTERS or folded.isascii(), repr(char)
            twins = [c for c in LATIN_LETTERS if regex_module.fullmatch(f"(?i){c}", char)]
            assert all(fold_for_anchors(c) == folded for c in twins), repr(char)
    assert anchor_prefixes(r"n(?:ú|u)mero") == {"número", "numero"}


def test_a_hostile_text_still_meets_the_clock(engine_for: EngineFor) -> None:
    """The part left searching everywhere runs under the rule's clock like any regex."""
    pattern = r"(?:[a-z](?:a|aa)+!|admin:)x"  # the first part backtracks exponentially
    assert len(split(pattern)) == 2
    engine = engine_for(f"match:\n  type: pattern\n  regex: '{pattern}'\n")
    started = time.monotonic()
    result = check(engine, "b" + "a" * 40 + "? ! admin:x")
    assert time.monotonic() - started < 40 * RULE_TIME_LIMIT_S
    assert result.timed_out == ["test/test.rule0"]
