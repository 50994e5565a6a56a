"""The baseline on posts it was never tuned on nor trained with: tests/holdout/.

These posts were written by the team after the rules and the word model of their time,
and are kept out of tests/corpus/ for good: no rule is tuned on them and `pack train`
never reads them, so their numbers say how the baseline does on wordings nobody here
anticipated. Round 10 is deliberately subtle (hints, euphemisms, stereotypes told as
observations, threats without violent words); round 11 is ordinary posts of every
category with as many near-misses; round 12 is a harassment-heavy set and a set of
the business categories; round 13 is harassment in heated replies, hot takes and
everyday posts, mostly without a stock insult, and as many near-misses. Read their misses to
learn what a category lacks, never to add their phrases: a list grown from these posts
would make them meaningless.

The floors only guard against regressions; the issue's aim on such text is 90% recall.
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

HOLDOUT = Path(__file__).resolve().parents[1] / "holdout"

# What baseline 2026.12.6 reaches, rounded down (recall at warn or above; false alarms:
# benign posts with any finding at warn or above).
FLOORS = {
    "10": (0.40, 0.08),  # 800 subtle posts: today 0.409 and 7.2% (2026.12.5: 0.357, 7.2%)
    "11": (0.72, 0.10),  # 485 ordinary posts: today 0.723 and 9.8% (0.665, 9.3%)
    "12": (0.61, 0.06),  # 1,280 mixed posts: today 0.615 and 5.9% (0.575, 5.7%)
    "13": (0.42, 0.05),  # 1,000 harassment posts and near-misses: today 0.422, 5.0% (0.284, 4.4%)
}


def evaluate(round_: str) -> Any:
    files = sorted(str(p) for p in HOLDOUT.glob(f"*-{round_}.jsonl"))
    assert files, f"no holdout files for round {round_}"
    baseline = str(BUNDLED_PACKS[0])
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["pack", "eval", *files, "--pack", baseline, "--format", "json", "--show", "0"])
    assert code == 0, buffer.getvalue()[-2000:]
    return json.loads(buffer.getvalue())


@pytest.mark.parametrize("round_", sorted(FLOORS))
def test_the_baseline_holds_its_floor_on_posts_it_never_saw(round_: str) -> None:
    min_recall, max_false_alarms = FLOORS[round_]
    report = evaluate(round_)
    assert report["overall"]["recall"] >= min_recall, report["overall"]
    assert report["benign"]["false_alarm_rate"] <= max_false_alarms, report["benign"]


def test_the_word_model_never_learnt_from_the_holdout() -> None:
    """The bundled model names the files it was trained on; no holdout file is among them."""
    model = BUNDLED_PACKS[0] / "models" / "baseline.json"
    trained_on = json.loads(model.read_text())["trained_on"]
    for path in HOLDOUT.glob("*.jsonl"):
        assert path.name not in trained_on, path.name


def test_the_word_model_learnt_from_every_labelled_post_the_team_keeps_for_it() -> None:
    """The bundled model is current: it names every file of tests/corpus and tests/training.

    A new labelled round that the model never read would leave the CI numbers on the team
    corpus describing rules alone while the docs describe the model too.
    """
    model = BUNDLED_PACKS[0] / "models" / "baseline.json"
    trained_on = json.loads(model.read_text())["trained_on"]
    names = set(trained_on.split(": ", 1)[1].split(", "))
    tests = HOLDOUT.parent
    for path in [*tests.glob("corpus/*.jsonl"), *tests.glob("training/*.jsonl")]:
        assert path.name in names, path.name
