"""Compiled regexes in the start-up cache are stored as code and come back identical."""

from __future__ import annotations

import pickle
import pickletools
import re

import pytest

from agent.engine import Engine
from agent.engine.matchers.pattern import PatternMatcher
from agent.engine.regex_pickle import dumps
from agent.paths import BUNDLED_PACKS

SAMPLES = [
    r"(?i)\bpassword\s*(?:is|=|:)\s*(?P<value>\S{6,})",
    r"(?x) \b (?P<card> [3-6]\d (?:[ -]?\d){11,17} ) \b  # verbose, with a comment",
    r"(?ms)^start.*?end$",
    r"(?<!\w)café(?!\w)|\bnaïve\b",
]
TEXT = "Password is hunter22! card 4111 1111 1111 1111\nstart\nx end\ncafé naïve"


def _globals(payload: bytes) -> set[str]:
    """The functions a pickle calls to rebuild its objects (module and name strings)."""
    return {str(arg) for op, arg, _ in pickletools.genops(payload) if isinstance(arg, str)}


@pytest.mark.parametrize("source", SAMPLES)
def test_a_pattern_comes_back_equal_without_being_compiled_again(source: str) -> None:
    original = re.compile(source)
    payload = dumps(original)
    assert "_compile" not in _globals(payload)  # re.Pattern's own pickling recompiles
    loaded = pickle.loads(payload)
    assert loaded == original  # equality compares the compiled code, flags and source
    assert loaded.groupindex == original.groupindex
    assert [m.groupdict() for m in loaded.finditer(TEXT)] == [
        m.groupdict() for m in original.finditer(TEXT)
    ]


def test_every_bundled_regex_survives_the_cache() -> None:
    engine = Engine.from_dirs(list(BUNDLED_PACKS))
    loaded = pickle.loads(dumps(engine))
    pairs = [
        (rule.matcher.regex, again.matcher.regex)
        for rule, again in zip(engine._rules, loaded._rules, strict=True)
        if isinstance(rule.matcher, PatternMatcher) and isinstance(again.matcher, PatternMatcher)
    ]
    assert len(pairs) > 30
    assert all(before == after for before, after in pairs)
