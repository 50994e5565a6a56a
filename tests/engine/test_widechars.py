"""The non-ASCII characters of a text, found without a regex, are the ones a regex finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.engine.widechars import astral_positions, non_ascii, non_ascii_runs

WIDE = st.sampled_from(["é", "😀", "\ud800", "ß", "·", "\u200b", "字", "\U0001f469\u200d"])
TEXTS = st.lists(st.one_of(WIDE, st.text(alphabet="ab .!\n", max_size=5)), max_size=40).map(
    "".join
) | st.text(max_size=200)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_runs_are_the_regex_runs(text: str) -> None:
    assert non_ascii_runs(text) == [m.span() for m in re.finditer(r"[^\x00-\x7f]+", text)]
    assert non_ascii(text) == "".join(re.findall(r"[^\x00-\x7f]", text))
    assert astral_positions(text) == [
        m.start() for m in re.finditer("[\U00010000-\U0010ffff]", text)
    ]


def test_many_wide_characters_take_the_regex_path_with_the_same_answer() -> None:
    text = "ab " + "é" * 100 + " cd " + "字😀" * 50
    assert non_ascii_runs(text) == [(3, 103), (107, 207)]
    assert astral_positions(text) == list(range(108, 207, 2))
