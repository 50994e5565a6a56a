"""Property tests: for any text, every span is in bounds and slices back to ``matched``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.engine.anchors import fold_for_anchors
from agent.engine.matchers.base import Scan
from agent.engine.normalize import TextViews
from agent.engine.result import Platform
from agent.packs.compile import compile_dirs
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY
from tests.engine.conftest import FIXTURES, NOW

ENGINE = compile_dirs([FIXTURES / "core"])

# Fragments that make matches likely, mixed with hostile characters.
FRAGMENTS = st.sampled_from(
    [
        "confidential",
        "c o n f i d e n t i a l",
        "strictly confidential",
        "password is Winter2024!",
        "4111 1111 1111 1111 card",
        "Project Falcon",
        "1d10t",
        "discount code",
        "😀",
        "👩‍👩‍👧",
        "\u200b",
        "\u00ad",
        "e\u0301",
        "\u0332",
        "ß",
        "ﬁ",
        "Ｆ",
        "𝐜",
        "с",
        " ",
        "\n",
    ]
)
TEXTS = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=25).map("".join)


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le", "surrogatepass")[2 * start : 2 * end].decode(
        "utf-16-le", "surrogatepass"
    )


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.sampled_from(list(Platform)))
def test_spans_in_bounds_and_slice_to_matched(text: str, platform: Platform) -> None:
    result = ENGINE.check(text, platform, NOW)
    length = len(text.encode("utf-16-le", "surrogatepass")) // 2
    for finding in result.findings:
        assert 0 <= finding.start < finding.end <= length
        assert utf16_slice(text, finding.start, finding.end) == finding.matched
    keys = [(f.start, f.end, f.rule_id) for f in result.findings]
    assert keys == sorted(keys)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_check_is_a_pure_function(text: str) -> None:
    assert ENGINE.check(text, Platform.X, NOW) == ENGINE.check(text, Platform.X, NOW)


BUNDLED = compile_dirs([*BUNDLED_PACKS, EXAMPLE_COMPANY])
LEET_AND_FOLDS = st.sampled_from(
    ["p4ssw0rd", "$ecret", "1d10t", "idiot", "Idiot!", "STRASSE", "straße", "a b c d"]
)
MIXED = st.lists(st.one_of(FRAGMENTS, LEET_AND_FOLDS, st.text(max_size=8)), max_size=25).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(MIXED)
def test_the_phrase_pass_finds_what_the_pre_check_pass_would(text: str) -> None:
    # The folded phrase pass doubles as the regex pre-check pass when both read one text;
    # its hits must be those of the pre-check automaton reading the text on its own.
    scan = Scan(TextViews(text), BUNDLED._text_index)
    BUNDLED._phrases.scan(scan)
    cased = scan.views.cased.text
    anchors = fold_for_anchors(cased)
    anchored = len(anchors) == len(cased)
    alone = BUNDLED._text_index.scan(anchors, anchored=anchored)
    assert scan.literals() == alone.literals
    for slot in range(1, 300):
        expected = alone.starts.get(slot, []) if anchored else None
        assert scan.anchor_starts(slot) == expected


@settings(max_examples=200, deadline=None)
@given(MIXED, st.sampled_from(["p4ss", "n0pe", "h3llo"]))
def test_a_leet_word_elsewhere_changes_no_earlier_finding(text: str, leet_word: str) -> None:
    # Without a leet word the leet rules are read in the folded pass; with one, in a pass
    # of their own over the leet view.  Either way the findings before it are the same.
    before = ENGINE.check(text, Platform.X, NOW).findings
    after = ENGINE.check(text + "\n\n" + leet_word, Platform.X, NOW).findings
    limit = len(text.encode("utf-16-le", "surrogatepass")) // 2
    assert [f for f in after if f.end <= limit] == before
