"""The generated inputs: deterministic posts and packs the real loader and engine accept."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.bench.corpus import generate_phrases, generate_post
from agent.bench.engine_api import load_engine
from agent.bench.workspace import Workspace
from agent.engine import Engine
from agent.engine.result import Platform
from agent.packs.loader import load_pack_set


def test_posts_are_deterministic_and_exactly_sized() -> None:
    plant = generate_phrases(3, seed=7)
    for size in (280, 3_000, 30_000):
        post = generate_post(size, seed=size, plant=plant)
        assert len(post) == size
        assert post == generate_post(size, seed=size, plant=plant)
    assert generate_post(3_000, seed=1, plant=plant) != generate_post(3_000, seed=2, plant=plant)


def test_phrases_are_distinct_and_stable() -> None:
    phrases = generate_phrases(5_000, seed=3)
    assert len(set(phrases)) == 5_000
    assert phrases[:100] == generate_phrases(100, seed=3)


def test_every_planted_phrase_is_in_every_post(workspace: Workspace) -> None:
    plant = workspace.phrases[:2]
    for post in workspace.posts.values():
        lowered = post.lower()
        assert all(phrase in lowered for phrase in plant)


def test_generated_packs_load_with_the_real_loader(workspace: Workspace) -> None:
    for pack_set in [*workspace.layered.values(), *workspace.phrase_only.values()]:
        loaded = load_pack_set(list(pack_set.dirs))
        assert loaded is not None


def test_engine_flags_the_planted_phrases_with_exact_spans(workspace: Workspace) -> None:
    count = min(workspace.layered)
    engine = Engine.from_dirs(list(workspace.layered[count].dirs))
    post = workspace.posts[max(workspace.posts)]
    result = engine.check(post, Platform.LINKEDIN, datetime.now(UTC))
    generated = [f for f in result.findings if f.pack.id.startswith("bench-")]
    # two planted phrases, plus one entry of the hashed list
    assert {f.rule_id for f in generated} == {
        "confidential.generated-terms",
        "confidential.generated-hashed",
    }
    assert len(generated) == 3
    units = post.encode("utf-16-le")  # posts carry emoji: spans are UTF-16 code units
    for finding in generated:
        assert units[2 * finding.start : 2 * finding.end].decode("utf-16-le") == finding.matched


def test_a_post_without_planted_phrases_is_quiet_for_the_generated_pack(
    workspace: Workspace,
) -> None:
    count = min(workspace.phrase_only)
    check = load_engine(workspace.phrase_only[count].dirs).check
    assert check(generate_post(3_000, seed=99, plant=[])).findings == []
