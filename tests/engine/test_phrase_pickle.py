"""An engine read back from the start-up cache finds exactly what the compiled one finds."""

from __future__ import annotations

import pickle

import pytest

from agent.engine import Engine
from agent.engine.matchers.phrases import PhraseIndex
from agent.engine.result import CheckResult
from tests.engine.conftest import EngineFor, check

BODIES = (
    # "secret" is listed by a whole-word set and a partial one: one key, two entries
    "match: {type: phrases, phrases: [secret, internal only, '#ad']}",
    "match: {type: phrases, phrases: [secret, topsecret], whole_word: false}",
    "match: {type: phrases, phrases: [ACME, Project X], case_sensitive: true}",
    "match: {type: phrases, phrases: [idiot, password], leet: true}",
    """\
    match: {type: phrases, phrases: [password]}
    exceptions: ["password manager"]
    """,
)
TEXTS = (
    "a secret plan",
    "topsecretstuff",
    "for Internal Only eyes, nice #ad",
    "ACME and acme and Project X and project x",
    "you 1d10t, my p@ssw0rd",
    "use a Password Manager; the password is x",
    "idiomatic secretary",
    "",
)
EXPECTED = {
    "a secret plan": [("test.rule0", "secret"), ("test.rule1", "secret")],
    "topsecretstuff": [("test.rule1", "topsecret")],
    "for Internal Only eyes, nice #ad": [
        ("test.rule0", "Internal Only"),
        ("test.rule0", "#ad"),
    ],
    "ACME and acme and Project X and project x": [
        ("test.rule2", "ACME"),
        ("test.rule2", "Project X"),
    ],
    "you 1d10t, my p@ssw0rd": [("test.rule3", "1d10t"), ("test.rule3", "p@ssw0rd")],
    "use a Password Manager; the password is x": [
        ("test.rule3", "Password"),
        ("test.rule3", "password"),
        ("test.rule4", "password"),
    ],
    "idiomatic secretary": [("test.rule1", "secret")],
    "": [],
}


def _found(result: CheckResult) -> list[tuple[str, str]]:
    return sorted(
        ((f.rule_id, f.matched) for f in result.findings), key=lambda x: (x[0], x[1].lower())
    )


@pytest.fixture
def engines(engine_for: EngineFor) -> tuple[Engine, Engine]:
    compiled = engine_for(*BODIES)
    loaded = pickle.loads(pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(loaded, Engine)
    return compiled, loaded


@pytest.mark.parametrize("text", TEXTS)
def test_loaded_engine_finds_what_the_compiled_one_finds(
    engines: tuple[Engine, Engine], text: str
) -> None:
    compiled, loaded = engines
    assert check(loaded, text) == check(compiled, text)
    assert sorted(_found(check(loaded, text))) == sorted(EXPECTED[text])


def test_keys_needing_the_same_handling_share_one_record() -> None:
    # The start-up cost of a pickled engine grows with the Python objects per key.
    index = PhraseIndex()
    slot = index.new_slot()
    words = [f"term{n:05d}" for n in range(2000)]
    index.add(words, flavour="folded", whole_word=True, slot=slot)
    index.add(["#tag", "x y"], flavour="folded", whole_word=True, slot=slot)
    index.freeze()
    loaded = pickle.loads(pickle.dumps(index))
    assert len(loaded._infos) == 3  # all "termNNNNN" alike; "#tag"; "x y"
