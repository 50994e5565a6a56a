"""Property tests: for any text, every span is in bounds and slices back to ``matched``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.engine import Engine
from agent.engine.result import Platform
from tests.engine.conftest import FIXTURES, NOW

ENGINE = Engine.from_dirs([FIXTURES / "core"])

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
