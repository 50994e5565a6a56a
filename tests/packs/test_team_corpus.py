"""The baseline on the team's labelled corpus, through `postguard pack eval`: floors, not hopes.

tests/corpus/ holds posts written by the team as employees write on LinkedIn and X:
violations of every category (`violations*.jsonl`) and ordinary posts, many of them
near-misses that use the rules' own vocabulary innocently (`benign*.jsonl`). A change to
the engine or the baseline that loses recall, or raises a false alarm on everyday posts,
fails here with the numbers; raise a floor when a change earns it.

These are floors on text the rules were tuned with and the word model was trained on, so
they guard against regressions; they do not say how the pack does on text it never saw
(measure that with `postguard pack eval` on posts kept out of tests/corpus).
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from agent.paths import BUNDLED_PACKS

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(str(p) for p in CORPUS.glob("*.jsonl"))

# Set just under what the baseline reaches on the whole corpus, rounds 5 to 9 included;
# the word model is trained on all of it, so these guard against regressions. Round 9
# (1,200 posts written after baseline 2026.12.4, harassment-heavy, with near-misses
# that quote abuse or use its words innocently) took recall from 0.963 to 0.950 and
# false alarms from 1.3% to 1.8%: its harassment stays the hardest part (0.79), and
# these floors are the issue's own bounds (recall 0.95, false alarms 2%). Baseline
# 2026.12.6's model, which also learnt from tests/training/, took harassment from 0.79 to
# 0.88 and the whole corpus to 0.969.
MIN_RECALL = 0.95  # of every (post, expected category) pair, at warn or above
MAX_FALSE_ALARMS = 0.02  # of benign posts with any finding at warn or above
# Per category, so one category's gain cannot hide another's loss.
MIN_CATEGORY_RECALL = {
    "confidential": 0.99,
    "financial": 0.98,
    "personal_data": 0.99,
    "credentials": 0.96,
    "harassment": 0.86,
    "company_voice": 0.97,  # 0.979: a retrained model moves it by a post or two
    "disclosure": 0.99,
}


@pytest.fixture(scope="module")
def report() -> Any:
    """One `postguard pack eval --format json` run of the baseline over the whole corpus."""
    baseline = str(BUNDLED_PACKS[0])
    args = ["pack", "eval", *FILES, "--pack", baseline, "--format", "json", "--show", "0"]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(args)
    assert code == 0, buffer.getvalue()[-2000:]
    return json.loads(buffer.getvalue())


def test_the_corpus_is_large_and_covers_every_category() -> None:
    posts = [json.loads(line) for name in FILES for line in Path(name).read_text().splitlines()]
    assert len(posts) >= 1_000
    benign = [p for p in posts if not p["expect"]]
    assert len(benign) >= 500
    for category in MIN_CATEGORY_RECALL:
        assert sum(category in p["expect"] for p in posts) >= 80, category


def test_recall_and_false_alarms_hold_their_floors(report: Any) -> None:
    misses = [m["text"] for m in report["misses"]][:20]
    alarms = [(a["text"], a["findings"]) for a in report["false_alarms"]][:20]
    assert report["overall"]["recall"] >= MIN_RECALL, misses
    assert report["benign"]["false_alarm_rate"] <= MAX_FALSE_ALARMS, alarms


@pytest.mark.parametrize("category", sorted(MIN_CATEGORY_RECALL))
def test_each_category_holds_its_floor(report: Any, category: str) -> None:
    scores = {c["category"]: c for c in report["categories"]}
    missed = [m["text"] for m in report["misses"] if m["category"] == category]
    assert scores[category]["recall"] >= MIN_CATEGORY_RECALL[category], missed[:20]
