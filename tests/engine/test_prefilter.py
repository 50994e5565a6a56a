"""What a regex's matches must contain: derived at load, and never wrong."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.engine.anchors import fold_for_anchors
from agent.engine.normalize import TextViews
from agent.engine.prefilter import count_digits, requirement
from agent.packs.loader import load_pack_set
from agent.packs.models import ConditionalMatch, PatternMatch
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY
from tests.engine.regex_texts import REGEXES, texts_for

DIGITS = "0123456789"


@pytest.mark.parametrize(
    ("regex", "sets", "digits"),
    [
        (r"\bembargo(?:ed)?\b", [{"embargo"}], 0),
        (r"(?i:women|men)\s+(?:are|belong)", [{"women", "men"}, {"are", "belong"}], 0),
        (r"\d{3}[- ]\d{2}[- ]\d{4}", [], 9),
        (r"[3-6]\d(?:[ -]?\d){11,17}", [], 13),
        # the parser factors out the branches' common "1"; each literal run extends into
        # the digit (folded to ASCII) that must follow it
        (
            r"10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}",
            [
                {f"10.{d}" for d in DIGITS} | {f"192.168.{d}" for d in DIGITS},
                {f"0.{d}" for d in DIGITS} | {f"92.168.{d}" for d in DIGITS},
            ],
            5,
        ),
        (r"born on \d{1,2}/\d{1,2}", [{"born on "}, {f"born on {d}" for d in DIGITS}], 2),
        (r"(?i)\.(?:corp|lan)\b", [{".corp", ".lan"}, {"corp", "lan"}], 0),  # "." then a branch
        (r"code\tis\s*x", [{"code is"}, {"code is ", "code isx"}], 0),  # \t folds to " "
        (r"(?=\d)[A-Z0-9]{4}", [], 0),  # a look-ahead's digit may be the match's own
        (r"[0-9²]{4}", [], 0),  # ² is no decimal digit: the class is not digits-only
        (r"ab|cd", [], 0),  # too short to be selective
        (r"\d*x", [], 0),
    ],
)
def test_requirement(regex: str, sets: list[set[str]], digits: int) -> None:
    found = requirement(regex)
    assert set(found.literal_sets) == {frozenset(s) for s in sets}
    assert found.digits == digits


@pytest.mark.parametrize(
    ("regex", "marks"),
    [
        (r"\b[\w.+-]{1,64}@[\w-]+\.[a-z]{2,}", {"@", "."}),
        (r"a@b|c@d", {"@"}),  # in every branch
        (r"a@b|c#d", set()),
        (r"(?:x:)?y@", {"@"}),  # an optional group promises nothing
        (r"(?=\S*#)\w+", set()),  # nor does a look-ahead
        (r"[@#]x", set()),  # a class is not one character
        (r"(?i)é–x", set()),  # only ASCII punctuation
    ],
)
def test_required_marks(regex: str, marks: set[str]) -> None:
    assert requirement(regex).marks == marks


@pytest.mark.parametrize(
    ("text", "digits"), [("", 0), ("card 4111 1111", 8), ("٣٤ and 5", 3), ("x²", 0)]
)
def test_count_digits_counts_what_backslash_d_matches(text: str, digits: int) -> None:
    assert count_digits(text) == digits == len(re.findall(r"\d", text))


def _bundled_patterns() -> list[PatternMatch]:
    patterns = []
    for rule in load_pack_set([*BUNDLED_PACKS, EXAMPLE_COMPANY]).rules:
        match = rule.rule.match
        parts = [match.trigger, match.require] if isinstance(match, ConditionalMatch) else [match]
        patterns += [p for p in parts if isinstance(p, PatternMatch)]
    return patterns


def _bundled_example_texts() -> list[str]:
    texts = []
    for rule in load_pack_set([*BUNDLED_PACKS, EXAMPLE_COMPANY]).rules:
        examples = rule.rule.examples
        texts += [e.text for e in (*examples.positives(), *examples.negatives())]
    return texts


def test_no_bundled_regex_is_skipped_on_a_text_it_matches() -> None:
    """Every example text of every bundled rule, against every bundled regex."""
    texts = [TextViews(t).cased.text for t in _bundled_example_texts()]
    skipped_matches = []
    for pattern in _bundled_patterns():
        regex, needs = re.compile(pattern.regex), requirement(pattern.regex)
        for text in texts:
            found = regex.search(text)
            if found is None:
                continue
            folded = fold_for_anchors(text)  # what the engine looks the literals up in
            holds = (
                count_digits(text) >= needs.digits
                and all(mark in text for mark in needs.marks)
                and all(
                    any(literal in folded for literal in literals)
                    for literals in needs.literal_sets
                )
            )
            if not holds:
                skipped_matches.append((pattern.regex[:60], found.group()))
    assert not skipped_matches


def test_number_rules_need_their_digits() -> None:
    """The card and id rules are skipped on a post without enough digits."""
    digits = {p.regex: requirement(p.regex).digits for p in _bundled_patterns()}
    needs = sorted(d for d in digits.values() if d >= 8)
    assert 13 in needs  # a payment card
    assert needs.count(9) >= 3  # US SSN, Dutch BSN, Canadian SIN, ...
    assert 11 in needs  # German Steuer-ID, Brazilian CPF


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("09a ²٣৪😀\ud800é٠"), max_size=30) | st.text(max_size=30))
def test_count_digits_agrees_with_the_regex(text: str) -> None:
    assert count_digits(text) == len(re.findall(r"\d", text))


@pytest.mark.parametrize("regex", REGEXES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_bundled_regex_that_matches_meets_its_requirement(
    regex: str, data: st.DataObject
) -> None:
    text = data.draw(texts_for(regex))
    if re.search(regex, text) is None:
        return
    needs, folded = requirement(regex), fold_for_anchors(text)
    assert count_digits(text) >= needs.digits
    assert all(mark in text for mark in needs.marks)
    for literals in needs.literal_sets:
        assert any(literal in folded for literal in literals), literals
