"""What a regex's matches must contain: derived at load, and never wrong."""

from __future__ import annotations

import re

import pytest

from agent.engine.normalize import TextViews
from agent.engine.prefilter import count_digits, requirement
from agent.packs.loader import load_pack_set
from agent.packs.models import ConditionalMatch, PatternMatch
from agent.paths import BUNDLED_PACKS


@pytest.mark.parametrize(
    ("regex", "sets", "digits"),
    [
        (r"\bembargo(?:ed)?\b", [{"embargo"}], 0),
        (r"(?i:women|men)\s+(?:are|belong)", [{"women", "men"}, {"are", "belong"}], 0),
        (r"\d{3}[- ]\d{2}[- ]\d{4}", [], 9),
        (r"[3-6]\d(?:[ -]?\d){11,17}", [], 13),
        (r"10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}", [], 5),
        (r"born on \d{1,2}/\d{1,2}", [{"born on "}], 2),
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
    ("text", "digits"), [("", 0), ("card 4111 1111", 8), ("٣٤ and 5", 3), ("x²", 0)]
)
def test_count_digits_counts_what_backslash_d_matches(text: str, digits: int) -> None:
    assert count_digits(text) == digits == len(re.findall(r"\d", text))


def _bundled_patterns() -> list[PatternMatch]:
    patterns = []
    for rule in load_pack_set(list(BUNDLED_PACKS)).rules:
        match = rule.rule.match
        parts = [match.trigger, match.require] if isinstance(match, ConditionalMatch) else [match]
        patterns += [p for p in parts if isinstance(p, PatternMatch)]
    return patterns


def _bundled_example_texts() -> list[str]:
    texts = []
    for rule in load_pack_set(list(BUNDLED_PACKS)).rules:
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
            lowered = text.lower()
            holds = count_digits(text) >= needs.digits and all(
                any(literal in lowered for literal in literals) for literals in needs.literal_sets
            )
            if not holds:
                skipped_matches.append((pattern.regex[:60], found.group()))
    assert not skipped_matches


def test_number_rules_need_their_digits() -> None:
    """The card, SSN and phone rules are skipped on a post without enough digits."""
    digits = {p.regex: requirement(p.regex).digits for p in _bundled_patterns()}
    assert sorted(d for d in digits.values() if d >= 8) == [8, 9, 13]
