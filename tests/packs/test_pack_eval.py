"""``postguard pack eval``: recall, false alarms and per-rule numbers on a labelled corpus.

The pack under test is written here (a phrase rule, a pattern rule, an info-level rule, a
platform-bound rule and a time-bound one) so the numbers do not move when the baseline's
wording changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import agent.paths
from agent.cli import main, pack_eval
from agent.engine.result import Severity
from tests.engine.packfiles import rule_yaml, write_pack

RULES = [
    rule_yaml(
        "match: {type: phrases, phrases: [numpty, tin-pot tyrant]}",
        id="harassment.rude",
        category="harassment",
    ),
    rule_yaml(
        r"match: {type: pattern, regex: '\btok_[a-z0-9]{8}\b'}",
        id="credentials.token",
        category="credentials",
        severity="block",
    ),
    rule_yaml(
        "match: {type: phrases, phrases: [meh]}",
        id="harassment.meh",
        category="harassment",
        severity="info",
    ),
    rule_yaml(
        "platforms: [x]\nmatch: {type: phrases, phrases: [promo code]}",
        id="disclosure.code",
        category="disclosure",
    ),
    rule_yaml(
        "active: {from: 2026-12-15T00:00:00Z, until: 2027-01-30T00:00:00Z}\n"
        "match: {type: phrases, phrases: [bookings]}",
        id="financial.quiet",
        category="financial",
    ),
]

# Outside the quiet window of financial.quiet unless a test says otherwise.
NOW = "2026-06-01T12:00:00Z"

CORPUS = [
    {"id": "h1", "text": "you absolute numpty", "expect": ["harassment"]},
    {"id": "h2", "text": "what a lovely day to be rude", "expect": ["harassment"]},
    {"id": "c1", "text": "my key is tok_abcd1234", "expect": ["credentials"]},
    {
        "id": "hc",
        "text": "the numpty left tok_zzzz9999 in the repo",
        "expect": ["harassment", "credentials"],
    },
    {"id": "c2", "text": "numpty me, I pasted the key", "expect": ["credentials"]},
    {"id": "b1", "text": "lovely day for a team walk", "expect": []},
    {"id": "b2", "text": "someone called me a numpty in my DMs", "expect": []},
    {"id": "b3", "text": "meh, Mondays", "expect": []},
    {"text": "great launch today", "expect": [], "note": "no id: listed by line"},
]


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "packs", RULES, id="evalpack")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus.jsonl", CORPUS)


Pg = Callable[..., Run]


@pytest.fixture
def pg(capsys: pytest.CaptureFixture[str]) -> Pg:
    def run(*args: object) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def write_corpus(path: Path, posts: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    return path


def evaluate(pg: Pg, pack: Path, *corpora: Path, extra: tuple[str, ...] = ()) -> Any:
    run = pg("pack", "eval", *corpora, "--pack", pack, "--now", NOW, "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def test_recall_and_false_alarms_are_counted_per_category(pg: Pg, pack: Path, corpus: Path) -> None:
    report = evaluate(pg, pack, corpus)
    by_category = {c["category"]: c for c in report["categories"]}
    assert by_category["harassment"] == {
        "category": "harassment", "expected": 3, "caught": 2, "recall": pytest.approx(2 / 3),
        "other": 1,
    }  # fmt: skip
    assert by_category["credentials"]["expected"] == 3
    assert by_category["credentials"]["caught"] == 2
    assert by_category["disclosure"] == {
        "category": "disclosure", "expected": 0, "caught": 0, "recall": None, "other": 0
    }  # fmt: skip
    assert report["overall"] == {"expected": 6, "caught": 4, "recall": pytest.approx(4 / 6)}
    assert report["posts"] == 9 and report["violation_posts"] == 5
    assert report["benign"] == {"posts": 4, "false_alarms": 1, "false_alarm_rate": 0.25}
    assert report["other_categories"] == {"posts": 1, "findings": 1}


def test_a_post_labelled_for_some_categories_is_read_for_those_only(
    pg: Pg, pack: Path, tmp_path: Path
) -> None:
    # the benign post raises credentials and harassment findings; labelled for harassment
    # only, its credentials finding is neither a false alarm nor "other"
    only = ["harassment"]
    posts = [
        {"text": "numpty", "expect": ["harassment"], "labelled_for": only},
        {"text": "tok_abcd1234 and numpty", "expect": [], "labelled_for": ["credentials"]},
        {"text": "my tok_abcd1234", "expect": [], "labelled_for": only},
        {"text": "numpty at tok_abcd1234", "expect": ["harassment"], "labelled_for": only},
    ]
    report = evaluate(pg, pack, write_corpus(tmp_path / "scoped.jsonl", posts))
    assert report["benign"] == {"posts": 2, "false_alarms": 1, "false_alarm_rate": 0.5}
    assert report["false_alarms"][0]["findings"][0]["rule_id"] == "credentials.token"
    assert report["other_categories"] == {"posts": 0, "findings": 0}
    assert report["overall"] == {"expected": 2, "caught": 2, "recall": 1.0}


def test_rules_count_posts_by_label(pg: Pg, pack: Path, corpus: Path) -> None:
    rules = {r["rule_id"]: r for r in evaluate(pg, pack, corpus)["rules"]}
    assert set(rules) == {
        "harassment.rude", "credentials.token", "harassment.meh", "disclosure.code",
        "financial.quiet",
    }  # fmt: skip
    rude = rules["harassment.rude"]
    assert (rude["on_expected"], rude["on_benign"], rude["on_other"]) == (2, 1, 1)
    token = rules["credentials.token"]
    assert (token["on_expected"], token["on_benign"], token["severity"]) == (2, 0, "block")
    assert rules["harassment.meh"]["on_benign"] == 0  # info is below the default threshold


def test_misses_and_false_alarms_name_the_post_and_the_span(
    pg: Pg, pack: Path, corpus: Path
) -> None:
    report = evaluate(pg, pack, corpus)
    misses = [(m["post"]["id"], m["category"]) for m in report["misses"]]
    assert misses == [("h2", "harassment"), ("c2", "credentials")]
    [c2] = [m for m in report["misses"] if m["post"]["id"] == "c2"]
    assert [(f["rule_id"], f["matched"]) for f in c2["found"]] == [("harassment.rude", "numpty")]
    [alarm] = report["false_alarms"]
    assert alarm["post"] == {"file": str(corpus), "line": 7, "id": "b2"}
    assert [(f["rule_id"], f["matched"]) for f in alarm["findings"]] == [
        ("harassment.rude", "numpty")
    ]


def test_min_severity_info_counts_reminders(pg: Pg, pack: Path, corpus: Path) -> None:
    report = evaluate(pg, pack, corpus, extra=("--min-severity", "info"))
    assert report["min_severity"] == "info"
    assert report["benign"]["false_alarms"] == 2
    assert {f["post"]["id"] for f in report["false_alarms"]} == {"b2", "b3"}
    block_only = evaluate(pg, pack, corpus, extra=("--min-severity", "block"))
    assert block_only["overall"]["caught"] == 2  # only the token rule blocks
    assert block_only["benign"]["false_alarms"] == 0


def test_text_report_has_the_tables_and_the_posts(pg: Pg, pack: Path, corpus: Path) -> None:
    run = pg("pack", "eval", corpus, "--pack", pack, "--now", NOW)
    assert run.code == 0 and run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == "packs: evalpack 1.0"
    assert "harassment            3       2   66.7%      1" in lines
    assert "overall               6       4   66.7%" in lines
    assert "benign posts: 4; false alarms: 1 (25.0%)" in lines
    assert any(
        line.split() == ["evalpack/harassment.rude", "harassment", "2", "1", "1"] for line in lines
    )
    assert "3 other rules flagged nothing at warn or above" in lines
    assert f"  {corpus}:2 (h2) harassment: 'what a lovely day to be rude'" in lines
    assert "    found: nothing" in lines
    assert f"  {corpus}:7 (b2): 'someone called me a numpty in my DMs'" in lines
    assert "    evalpack/harassment.rude warn 'numpty'" in lines


def test_show_limits_the_listing_not_the_counts(pg: Pg, pack: Path, corpus: Path) -> None:
    report = evaluate(pg, pack, corpus, extra=("--show", "1"))
    assert [m["post"]["id"] for m in report["misses"]] == ["h2"]
    assert report["overall"]["caught"] == 4 and report["show"] == 1
    text = pg("pack", "eval", corpus, "--pack", pack, "--now", NOW, "--show", "1").out
    assert "misses: 2 (1 listed; --show 0 lists all)" in text
    assert "(c2)" not in text


def test_long_posts_are_shortened_in_listings(pg: Pg, pack: Path, tmp_path: Path) -> None:
    text = "numpty " + "word " * 100
    path = write_corpus(tmp_path / "long.jsonl", [{"text": text, "expect": []}])
    [alarm] = evaluate(pg, pack, path)["false_alarms"]
    assert len(alarm["text"]) == 120 and alarm["text"].endswith("…")
    assert alarm["post"] == {"file": str(path), "line": 1, "id": None}


def test_platform_and_time_of_each_post_are_honoured(pg: Pg, pack: Path, tmp_path: Path) -> None:
    posts = [
        {"text": "use my promo code", "platform": "x", "expect": ["disclosure"]},
        {"text": "use my promo code", "platform": "linkedin", "expect": ["disclosure"]},
        {"text": "bookings look soft", "expect": ["financial"]},
    ]
    path = write_corpus(tmp_path / "c.jsonl", posts)
    outside = evaluate(pg, pack, path)
    assert [m["post"]["line"] for m in outside["misses"]] == [2, 3]
    run = pg("pack", "eval", path, "--pack", pack, "--now", "2026-12-20", "--format", "json")
    assert [m["post"]["line"] for m in run.json()["misses"]] == [2]


def test_several_corpora_add_up(pg: Pg, pack: Path, corpus: Path, tmp_path: Path) -> None:
    more = write_corpus(tmp_path / "more.jsonl", [{"text": "tin-pot tyrant", "expect": []}])
    report = evaluate(pg, pack, corpus, more)
    assert report["benign"] == {"posts": 5, "false_alarms": 2, "false_alarm_rate": 0.4}
    assert report["false_alarms"][1]["post"]["file"] == str(more)


@pytest.mark.parametrize(
    ("options", "code", "message"),
    [
        (("--min-recall", "0.6"), 0, None),
        (("--min-recall", "70%"), 1, "--min-recall not met: overall recall 66.7% is below 70.0%"),
        (("--max-false-alarms", "1"), 0, None),
        (("--max-false-alarms", "0"), 1, "--max-false-alarms not met: 1 benign posts flagged"),
        (("--max-false-alarms", "25%"), 0, None),
        (("--max-false-alarms", "20%"), 1, "false-alarm rate 25.0% is above 20.0%"),
    ],
)
def test_thresholds_gate_the_exit_code(
    pg: Pg, pack: Path, corpus: Path, options: tuple[str, ...], code: int, message: str | None
) -> None:
    run = pg("pack", "eval", corpus, "--pack", pack, "--now", NOW, "--format", "json", *options)
    assert run.code == code
    [threshold] = run.json()["thresholds"]
    assert threshold["met"] is (code == 0)
    if message is None:
        assert run.err == ""
    else:
        [line] = run.err.splitlines()
        assert line.startswith("postguard: ") and message in line


def test_both_thresholds_missed_are_both_named(pg: Pg, pack: Path, corpus: Path) -> None:
    run = pg("pack", "eval", corpus, "--pack", pack, "--min-recall", "0.9",
             "--max-false-alarms", "0")  # fmt: skip
    assert run.code == 1
    assert [line.split(":")[1].strip() for line in run.err.splitlines()] == [
        "--min-recall not met",
        "--max-false-alarms not met",
    ]


def test_recall_of_a_corpus_without_violations_is_not_met(
    pg: Pg, pack: Path, tmp_path: Path
) -> None:
    path = write_corpus(tmp_path / "benign.jsonl", [{"text": "hello", "expect": []}])
    run = pg("pack", "eval", path, "--pack", pack, "--min-recall", "0.5")
    assert run.code == 1
    assert "no posts with expected categories" in run.err


BAD_LINES = [
    ('{"text": "a", "expect": []}\n{"text": "b", "expect": [],}\n', 2, "not valid JSON"),
    ('{"text": "a", "expect": ["finance"]}\n', 1, "expect: unknown category 'finance'"),
    ('{"text": "a", "expect": "harassment"}\n', 1, "expect: expected a list of category"),
    ('{"text": "a", "expect": null}\n', 1, "expect: expected a list of category"),
    ('{"text": "a"}\n', 1, "expect: is required"),
    ('{"text": "a", "expect": [], "expected": []}\n', 1, "unknown key 'expected'"),
    ('{"text": "a", "expect": ["harassment"], "labelled_for": ["financial"]}\n', 1,
     "expect: harassment is not in labelled_for"),
    ('{"text": "a", "expect": [], "labelled_for": []}\n', 1, "labelled_for: expected at least"),
    ('{"text": "a", "expect": [], "labelled_for": ["hr"]}\n', 1,
     "labelled_for: unknown category 'hr'"),
    ('{"text": "   ", "expect": []}\n', 1, "text: is empty"),
    ('{"text": 5, "expect": []}\n', 1, "text: Input should be a valid string"),
    ('{"text": "a", "expect": [], "platform": "facebook"}\n', 1, "platform: Input should be"),
    ("[1, 2]\n", 1, "expected a JSON object"),
    ('\n{"text": "a", "expect": [], "id": "x"}\n{"text": "b", "expect": [], "id": "x"}\n', 3,
     "id 'x' is already used at"),
]  # fmt: skip


@pytest.mark.parametrize(("content", "line", "message"), BAD_LINES)
def test_bad_lines_stop_with_file_and_line(
    pg: Pg, pack: Path, tmp_path: Path, content: str, line: int, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    run = pg("pack", "eval", path, "--pack", pack)
    assert run.code == 2 and run.out == ""
    [err] = run.err.splitlines()
    assert err.startswith(f"postguard: {path}:{line}: ") and message in err


def test_bytes_that_are_not_text_are_refused(pg: Pg, pack: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "a", "expect": []}\n\xff\xfe\n')
    run = pg("pack", "eval", path, "--pack", pack)
    assert run.code == 2 and f"{path}:2: not valid UTF-8" in run.err
    path.write_bytes(b'{"text": "a\x00", "expect": []}\n')
    assert "NUL" in pg("pack", "eval", path, "--pack", pack).err


def test_an_overlong_line_is_refused(pg: Pg, pack: Path, tmp_path: Path) -> None:
    path = write_corpus(tmp_path / "big.jsonl", [{"text": "a " * 600_000, "expect": []}])
    run = pg("pack", "eval", path, "--pack", pack)
    assert run.code == 2 and f"{path}:1: line is longer than 1,048,576 bytes" in run.err


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_a_corpus_without_posts_is_an_error(
    pg: Pg, pack: Path, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content)
    run = pg("pack", "eval", path, "--pack", pack)
    assert run.code == 2 and f"postguard: {path}: no posts" in run.err


def test_missing_corpus_and_broken_pack_exit_2(
    pg: Pg, pack: Path, corpus: Path, tmp_path: Path
) -> None:
    run = pg("pack", "eval", tmp_path / "nope.jsonl", "--pack", pack)
    assert run.code == 2 and "cannot read" in run.err
    run = pg("pack", "eval", corpus, "--pack", tmp_path / "not-a-pack")
    assert run.code == 2 and run.err.startswith("postguard: ") and run.out == ""


@pytest.mark.parametrize(
    "options",
    [("--min-recall", "1.5"), ("--max-false-alarms", "0.5"), ("--show", "-1"),
     ("--min-severity", "high")],
)  # fmt: skip
def test_bad_options_are_usage_errors(
    pg: Pg, pack: Path, corpus: Path, options: tuple[str, ...]
) -> None:
    with pytest.raises(SystemExit) as exc:
        pg("pack", "eval", corpus, "--pack", pack, *options)
    assert exc.value.code == 2


def test_without_pack_the_bundled_packs_are_measured(pg: Pg, corpus: Path) -> None:
    run = pg("pack", "eval", corpus, "--format", "json")
    assert run.code == 0, run.err
    bundled = [p.name for p in agent.paths.BUNDLED_PACKS]
    assert [p["id"] for p in run.json()["packs"]] == bundled


def test_severity_choices_match_the_engine() -> None:
    assert tuple(s.value for s in Severity) == pack_eval.SEVERITIES


def test_the_team_benign_corpus_reads_cleanly(pg: Pg, pack: Path) -> None:
    path = agent.paths.REPO_ROOT / "tests" / "corpus" / "benign.jsonl"
    report = evaluate(pg, pack, path)
    assert report["violation_posts"] == 0
    assert report["benign"]["posts"] >= 700
