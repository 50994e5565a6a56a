"""No pack regex can stall a check: every match runs under a clock.

Each regex below passes the static lint (``agent.packs.regex_safety``) and
backtracks exponentially on the text beside it: before the clock, a 40-character
draft kept the agent busy for hours.  Now the rule is left out of that check
after its time limit, named in ``timed_out``, and every other rule still runs.
"""

from __future__ import annotations

import time

import pytest

from agent.engine.pack_regex import RULE_TIME_LIMIT_S
from agent.packs.regex_safety import check_regex
from tests.engine.conftest import EngineFor, check

# (regex, a short text a backtracking engine takes exponential time on, whether the
# regex engine cuts it short itself)
HOSTILE = [
    pytest.param(r"(.|\s)*\d{9}x", " " * 40 + "123456789 x", True, id="dot or space"),
    pytest.param(r"(?:a|a)+$", "a" * 40 + "!", True, id="same alternative twice"),
    pytest.param(r"(a|aa)+$", "a" * 40 + "!", True, id="one or two"),
    pytest.param(r"(\d|\d\d)+x", "1" * 40 + " x", True, id="digit or two"),
    pytest.param(r"(\w|_)+@", "_" * 40 + " @", False, id="word or underscore"),
    pytest.param(r"^(a?){25}a{25}$", "a" * 25 + "!", False, id="optional then required"),
]
PLAIN_RULE = """\
match:
  type: phrases
  phrases: ["project nightingale"]
"""


def _pattern_rule(regex: str) -> str:
    quoted = regex.replace("'", "''")
    return f"match:\n  type: pattern\n  regex: '{quoted}'\n"


@pytest.mark.parametrize(("regex", "text", "exponential"), HOSTILE)
def test_a_backtracking_regex_costs_its_time_limit_not_the_agent(
    engine_for: EngineFor, regex: str, text: str, exponential: bool
) -> None:
    check_regex(regex)  # the lint lets it through: the clock is what holds
    engine = engine_for(_pattern_rule(regex), PLAIN_RULE)
    draft = f"{text} Project Nightingale"
    started = time.monotonic()
    result = check(engine, draft)
    elapsed = time.monotonic() - started
    # Some shapes the regex engine recognises and runs fast; the rest meet the clock.
    assert result.timed_out == (["test/test.rule0"] if exponential else [])
    assert [f.rule_id for f in result.findings] == ["test.rule1"]  # the other rule still ran
    # Generous against a loaded machine; without the clock this takes hours.
    assert elapsed < 40 * RULE_TIME_LIMIT_S


def test_an_ordinary_regex_is_never_cut_short(engine_for: EngineFor) -> None:
    engine = engine_for(_pattern_rule(r"\bQ[1-4] revenue\b"))
    result = check(engine, "Q3 revenue " * 3000)
    assert result.timed_out == []
    assert len(result.findings) == 3000
