"""Regexes that would backtrack catastrophically are refused; fenced repetitions are fine."""

from __future__ import annotations

import pytest

from agent.packs.regex_safety import check_regex


@pytest.mark.parametrize(
    ("pattern", "safe"),
    [
        (r"(a+)+b", False),
        (r"(\w+\s?)*x", False),
        (r"(\d+)*x", False),
        (r"(.*,)*x", False),
        (r"(?:[a-z]+){2,}x", False),
        (r"([\w-]+\.)+[a-z]{2,}", True),  # the dot fences each round
        (r"(?:\s+\w+)+", True),  # \s and \w cannot both match a character
        (r"([^,]*,)*x", True),
        (r"(?:\d{3}-){2}\d{4}", True),
        (r"\b(?:\d[ -]?){12,18}\d\b", True),
        (r"(?i)\bpassword\s*(?:is|:|=)\s*(?P<value>\S{6,})", True),
        (r"(?>a+)+b", True),  # atomic groups never backtrack into themselves
    ],
)
def test_backtracking(pattern: str, safe: bool) -> None:
    if safe:
        check_regex(pattern)
    else:
        with pytest.raises(ValueError, match="nested quantifier"):
            check_regex(pattern)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [("(", "invalid regex"), ("x?", "empty string"), ("a" * 2001, "the limit is 2000")],
)
def test_other_refusals(pattern: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_regex(pattern)
