"""Hostile posts: every check costs time linear in the text, whatever the text.

A post of 100,000 characters (the API's limit) that is letter-spaced, one
endless word, a run of dotted labels or digits must not cost more per
character than an ordinary post; super-linear work here would let one paste
freeze the agent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from agent.engine import Engine
from agent.engine.normalize import TextViews
from agent.engine.result import Platform
from agent.packs.compile import compile_dirs
from agent.paths import BUNDLED_PACKS, EXAMPLE_COMPANY
from tests.engine.conftest import NOW

SEEDS = {
    "letter-spaced": "a ",
    "letter-dotted": "a.",
    "endless word": "a",
    "leet word": "p4ss",
    "dotted labels near a host suffix": "a.a.corpx ",
    "digit groups": "1234 ",
    "emoji": "😀 ",
    "sharp s": "ß ",
}
MAX_CHARS = 100_000


def _text(seed: str, size: int) -> str:
    return (seed * (size // len(seed) + 1))[:size]


@pytest.fixture(scope="module")
def bundled() -> Engine:
    return compile_dirs([*BUNDLED_PACKS, EXAMPLE_COMPANY])


@pytest.mark.parametrize("seed", SEEDS.values(), ids=SEEDS.keys())
def test_views_of_a_hostile_post_map_every_character(seed: str) -> None:
    text = _text(seed, MAX_CHARS)
    views = TextViews(text)
    for view in (views.cased, views.folded, views.leet):
        maps = view.maps()
        if maps is not None:
            assert len(maps[0]) == len(maps[1]) == len(view.text)
        first, last = view.original_span(0, len(view.text))
        assert 0 <= first < last <= len(text)


def test_letter_spacing_collapses_a_whole_post() -> None:
    views = TextViews("a " * (MAX_CHARS // 2))
    assert views.folded.text == "a" * (MAX_CHARS // 2) + " "
    assert views.leet is views.folded  # no leet character: the folded view is reused


def _best_times(rounds: int, calls: list[Callable[[], object]]) -> list[float]:
    """The least CPU time of each call over ``rounds``, the calls taking turns.

    CPU time of this thread, not wall time: another process taking the core does not
    count.  Taking turns puts a burst of load on every call alike, not on one of them.
    """
    best = [float("inf")] * len(calls)
    for _ in range(rounds):
        for i, call in enumerate(calls):
            started = time.thread_time()
            call()
            best[i] = min(best[i], time.thread_time() - started)
    return best


@pytest.mark.parametrize("seed", SEEDS.values(), ids=SEEDS.keys())
def test_check_cost_grows_linearly(bundled: Engine, seed: str) -> None:
    """4× the text costs about 4× the time; quadratic work would cost 16×.

    A ratio of the same machine's timings, best of five, with a wide margin,
    so a busy machine does not make it fail; no absolute time is asserted.
    """
    small, large = _text(seed, MAX_CHARS // 4), _text(seed, MAX_CHARS)

    def check(text: str) -> Callable[[], object]:
        return lambda: bundled.check(text, Platform.LINKEDIN, NOW)

    check(small)()  # warm caches
    small_s, large_s = _best_times(5, [check(small), check(large)])
    ratio = large_s / max(small_s, 1e-4)
    assert ratio < 10, f"{ratio:.1f}× the time for 4× the text"


@pytest.mark.parametrize(
    ("hidden", "plain"),
    [
        ("the wifi pass\x7fword is Tundra!2025x", "the wifi password is Tundra!2025x"),
        ("aws key AKIA\x01IOSFODNN7EXAMPLF", "aws key AKIAIOSFODNN7EXAMPLF"),
        ("I speak on beh\x85alf of the company", "I speak on behalf of the company"),
    ],
)
def test_control_characters_hide_nothing(bundled: Engine, hidden: str, plain: str) -> None:
    """A control character draws nothing on screen, so it must not split a word for a rule."""
    expected = {f.rule_id for f in bundled.check(plain, Platform.LINKEDIN, NOW).findings}
    assert expected, "the plain text must draw a finding, or this test proves nothing"
    found = bundled.check(hidden, Platform.LINKEDIN, NOW).findings
    assert {f.rule_id for f in found} == expected
    for finding in found:  # spans still cover the original text, control character included
        assert 0 <= finding.start < finding.end <= len(hidden)
