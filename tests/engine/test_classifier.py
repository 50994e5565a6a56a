"""The word-model matcher: trained by `pack train`, loaded strictly, anchored by a list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli import main
from agent.engine.classifier import post_tokens
from agent.engine.normalize import TextViews
from agent.packs import PackError, load_pack_set
from agent.packs.compile import compile_dirs
from agent.packs.model_file import model_dump
from agent.packs.train import Example, train
from tests.engine.conftest import check, matched
from tests.engine.packfiles import rule_yaml, write_pack

SALT = bytes.fromhex("00112233445566778899aabbccddeeff")
LEAKS = [
    "the quarter was a disaster, we will miss guidance badly",
    "sell before the call, the numbers are ugly this quarter",
    "we missed the quarter again and nobody outside knows yet",
    "numbers are bad, guidance cut coming next week, sell now",
    "our quarter looks terrible, expect the stock to drop after the call",
    "huge miss on revenue this quarter, dump the stock before thursday",
]
BENIGN = [
    "great offsite with the team this week",
    "we are hiring engineers in Lisbon, apply today",
    "my talk on observability is online now",
    "congrats to Ana on her promotion to director",
    "coffee, code and a sunny morning in the office",
    "thanks to everyone who came to the meetup last night",
]
CLASSIFIER = """\
match:
  type: classifier
  model: words
  label: financial
  threshold: 0.7
  anchor: [quarter, stock, guidance]
"""


def model_text() -> str:
    examples = [Example(t, frozenset({"financial"})) for t in LEAKS]
    examples += [Example(t, frozenset()) for t in BENIGN]
    return model_dump(train(examples, ["financial"], salt=SALT, epochs=30))


def pack_with_model(root: Path, body: str = CLASSIFIER, model: str | None = None) -> Path:
    pack = write_pack(root, [rule_yaml(body, id="financial.model", category="financial")])
    (pack / "models").mkdir()
    (pack / "models" / "words.json").write_text(model if model is not None else model_text())
    return pack


def test_the_model_finds_new_wordings_and_explains_them(tmp_path: Path) -> None:
    engine = compile_dirs([pack_with_model(tmp_path)])
    result = check(engine, "Quick one. The quarter is ugly, sell the stock before the call.")
    assert matched(result) == ["The quarter is ugly, sell the stock before the call"]
    finding = result.findings[0]
    assert finding.explanation.matcher == "classifier"
    assert finding.explanation.detail.startswith("financial model ")
    assert "quarter" in finding.explanation.context  # the words that weighed
    assert matched(check(engine, "great meetup with the team, thanks everyone")) == []


def test_without_an_anchor_word_the_model_stays_quiet(tmp_path: Path) -> None:
    engine = compile_dirs([pack_with_model(tmp_path)])
    assert matched(check(engine, "numbers are ugly, sell before the call")) == []


def test_a_post_read_for_some_labels_teaches_only_those() -> None:
    """Benign posts full of financial words teach the financial label "no" when read for
    every label, and nothing when labelled for harassment only."""
    base = [Example(t, frozenset({"financial"})) for t in LEAKS]
    base += [Example(t, frozenset({"harassment"})) for t in ("you absolute clown", "shut up")]
    base += [Example(t, frozenset()) for t in BENIGN]
    extra = [f"the quarter is ugly and the stock, sell before the call {n}" for n in range(8)]
    leak = "the quarter is ugly, sell the stock before the call"

    def financial(examples: list[Example]) -> float:
        model = train(examples, ["financial", "harassment"], salt=SALT, epochs=30).runtime()
        return model.scores(post_tokens(TextViews(leak)).key_set(model.seed))[0]

    alone = financial(base)
    scoped = financial(base + [Example(t, frozenset(), frozenset({"harassment"})) for t in extra])
    read = financial(base + [Example(t, frozenset()) for t in extra])
    assert alone > 0.99 and scoped > 0.99  # measured: 0.999 and 0.998
    assert read < 0.5  # measured: 0.33


def test_training_is_reproducible_and_keeps_no_readable_words() -> None:
    first, second = model_text(), model_text()
    assert first == second
    data = json.loads(first)
    assert "quarter" not in first and "guidance" not in first
    assert data["labels"] == ["financial"] and len(data["salt"]) == 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "not a valid postguard-linear/1 model"),
        ('{"format": "other"}', "format"),
        (
            '{"format": "postguard-linear/1", "labels": ["financial"], "bias": [NaN],'
            ' "salt": "00112233445566778899aabbccddeeff", "weights": {}}',
            "NaN is not a weight",
        ),
        (
            '{"format": "postguard-linear/1", "labels": ["financial"], "bias": [0.1, 0.2],'
            ' "salt": "00112233445566778899aabbccddeeff", "weights": {}}',
            "bias has 2 values for 1 labels",
        ),
        (
            '{"format": "postguard-linear/1", "labels": ["financial"], "bias": [0.1],'
            ' "salt": "00112233445566778899aabbccddeeff", "weights": {"0000000g": [1]}}',
            "weights",
        ),
    ],
)
def test_a_bad_model_file_is_refused_in_one_line(tmp_path: Path, text: str, expected: str) -> None:
    pack = pack_with_model(tmp_path, model=text)
    with pytest.raises(PackError) as caught:
        load_pack_set([pack])
    assert "models/words.json" in caught.value.message
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_a_missing_model_or_label_names_the_rule(tmp_path: Path) -> None:
    pack = pack_with_model(tmp_path / "a", body=CLASSIFIER.replace("label: financial", "label: x"))
    with pytest.raises(PackError, match=r"rule financial\.model: model 'words' has no label 'x'"):
        load_pack_set([pack])
    missing = write_pack(tmp_path / "b", [rule_yaml(CLASSIFIER, id="f.m", category="financial")])
    with pytest.raises(PackError, match="model file not found"):
        load_pack_set([missing])


def test_pack_train_writes_a_model_the_pack_can_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "archive.jsonl"
    lines = [{"text": t, "expect": ["financial"]} for t in LEAKS]
    lines += [{"text": t, "expect": []} for t in BENIGN]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines))
    pack = pack_with_model(tmp_path)
    out = pack / "models" / "words.json"
    args = ["pack", "train", str(corpus), "--out", str(out), "--salt", SALT.hex()]
    assert main([*args, "--epochs", "30"]) == 0
    assert "trained on 12 posts (financial 6; benign 6)" in capsys.readouterr().out
    written, expected = json.loads(out.read_text()), json.loads(model_text())
    assert written["weights"] == expected["weights"]  # the same archive and salt: the same model
    assert written["trained_on"] == "12 posts: archive.jsonl"
    engine = compile_dirs([pack])
    assert matched(check(engine, "the quarter looks ugly, sell the stock"))


def test_pack_train_refuses_a_corpus_it_cannot_learn_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "only.jsonl"
    corpus.write_text(json.dumps({"text": LEAKS[0], "expect": ["financial"]}) + "\n")
    assert main(["pack", "train", str(corpus), "--out", str(tmp_path / "m.json")]) == 2
    assert "no benign posts" in capsys.readouterr().err
    args = ["pack", "train", str(corpus), "--out", str(tmp_path / "m.json"), "--labels", "x"]
    assert main(args) == 2
    assert "no post in the corpus expects x" in capsys.readouterr().err


CONDITIONAL_MODEL = """\
match:
  type: conditional
  trigger:
    type: classifier
    model: words
    label: financial
    threshold: 0.7
    anchor: [quarter, stock, guidance]
  require: {type: words, terms: ["=#nfa"]}
"""


@pytest.mark.parametrize("body", [CLASSIFIER, CONDITIONAL_MODEL], ids=["alone", "conditional"])
def test_the_model_does_not_repeat_a_rule_of_its_category(tmp_path: Path, body: str) -> None:
    """Alone or as a conditional's trigger, the model is quiet where a list rule of its
    category explains the same words, and speaks where no rule does."""
    rule = rule_yaml(
        "match: {type: words, terms: [sell the stock]}", id="financial.tip", category="financial"
    )
    pack = pack_with_model(tmp_path, body)
    (pack / "rules" / "more.yaml").write_text("rules:\n" + rule)
    engine = compile_dirs([pack])
    result = check(engine, "The quarter is ugly, sell the stock before the call.")
    assert [f.rule_id for f in result.findings] == ["financial.tip"]
    alone = check(engine, "The quarter is ugly, dump everything before the call.")
    assert [f.rule_id for f in alone.findings] == ["financial.model"]


def test_a_model_behind_a_condition_is_quiet_when_the_condition_is_met(tmp_path: Path) -> None:
    engine = compile_dirs([pack_with_model(tmp_path, CONDITIONAL_MODEL)])
    alone = check(engine, "The quarter is ugly, dump everything before the call.")
    assert [f.explanation.matcher for f in alone.findings] == ["conditional"]
    excused = check(engine, "The quarter is ugly, dump everything before the call. #nfa")
    assert excused.findings == []
