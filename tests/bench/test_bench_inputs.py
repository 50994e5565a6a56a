"""The generated inputs: deterministic posts and packs the real loader and engine accept."""

from __future__ import annotations

import random
import re
import statistics
from datetime import UTC, datetime

import pytest

from agent.bench import post_bank
from agent.bench.corpus import BANK_WORDS, fill, generate_phrases, generate_post, planted_sentence
from agent.bench.engine_api import load_engine
from agent.bench.workspace import Workspace
from agent.engine.result import Platform
from agent.packs.compile import compile_dirs
from agent.packs.loader import load_pack_set


def test_posts_are_deterministic_and_exactly_sized() -> None:
    plant = generate_phrases(3, seed=7)
    for size in (280, 3_000, 30_000):
        post = generate_post(size, seed=size, plant=plant)
        assert len(post) == size
        assert post == generate_post(size, seed=size, plant=plant)
    assert generate_post(3_000, seed=1, plant=plant) != generate_post(3_000, seed=2, plant=plant)


def test_planted_phrases_survive_every_length_and_overlong_plants_are_refused() -> None:
    plant = generate_phrases(3, seed=7)
    shortest = sum(len(planted_sentence(p)) + 2 for p in plant) - 2
    for size in range(shortest, shortest + 400, 7):
        post = generate_post(size, seed=size, plant=plant)
        assert len(post) == size
        assert all(p.title() in post for p in plant), size
    with pytest.raises(ValueError, match="do not fit"):
        generate_post(shortest - 1, seed=1, plant=plant)


def _per_1000(pattern: str, post: str) -> float:
    return len(re.findall(pattern, post)) * 1000 / len(post)


# What employees' posts carry, per 1,000 characters: (pattern, least, most) for the mean
# over many 3,000-character posts. A bag of plain words has no digits, mentions, URLs or
# line breaks; an emoji-only or number-only text overshoots.
REALISTIC_DENSITY = {
    "digit": (r"\d", 5, 30),
    "emoji (astral code point)": ("[\U00010000-\U0010ffff]", 2, 12),
    "@mention": (r"(?<![\w.])@\w+", 0.4, 3),
    "#hashtag": (r"(?<![\w&])#\w+", 2, 10),
    "URL": (r"https://|\b\w+\.(?:com|dev|io|app|org|eu)/", 0.4, 3),
    "line break": (r"\n", 8, 35),
    "apostrophe": (r"['’]", 1.5, 8),
    "word": (r"\S+", 130, 200),
}


@pytest.mark.parametrize("name", REALISTIC_DENSITY)
def test_posts_have_the_density_of_real_posts(name: str) -> None:
    pattern, least, most = REALISTIC_DENSITY[name]
    posts = [generate_post(3_000, seed=seed, plant=[]) for seed in range(30)]
    density = statistics.mean(_per_1000(pattern, post) for post in posts)
    assert least <= density <= most, f"{name}: {density:.1f} per 1,000 characters"


def test_posts_carry_every_kind_of_hard_character() -> None:
    text = "".join(generate_post(30_000, seed=seed, plant=[]) for seed in range(3))
    assert "\u200d" in text  # ZWJ emoji sequences
    assert re.search("[\U0001f3fb-\U0001f3ff]", text)  # skin tones
    assert re.search("[\U0001f1e6-\U0001f1ff]{2}", text)  # flags
    assert "’" in text and "“" in text  # typographic quotes
    assert re.search(r"[$€£]\d", text) and re.search(r"\d%", text)
    assert re.search(r"[^\x00-\x7f]", re.sub("[\U00010000-\U0010ffff]", "", text))  # é, ü, →


def test_the_bank_is_large_and_every_template_fills() -> None:
    templates = [t for topic in post_bank.TOPICS.values() for t in topic]
    templates += [*post_bank.OPENERS, *post_bank.CLOSERS]
    assert len(templates) >= 300
    assert len(set(templates)) == len(templates)
    rng = random.Random(1)
    for template in templates:
        filled = fill(template, rng)
        assert "{" not in filled and "}" not in filled, template


def test_no_generated_phrase_occurs_in_unplanted_posts() -> None:
    # Every one-to-three-word run of the posts, also with leetspeak digits read as
    # letters (the engine's leet view), against the largest list the bench generates.
    phrases = set(generate_phrases(100_000, seed=20261)) | set(generate_phrases(10_000, 20262))
    leet = str.maketrans("013457", "oieast")
    for seed in range(5):
        post = generate_post(30_000, seed=seed, plant=[]).casefold()
        for view in (post, post.translate(leet)):
            words = re.findall(r"[^\W\d_]+", view)
            runs = {" ".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words))}
            assert not runs & phrases


def test_phrases_are_distinct_and_stable() -> None:
    phrases = generate_phrases(5_000, seed=3)
    assert len(set(phrases)) == 5_000
    assert phrases[:100] == generate_phrases(100, seed=3)
    # Names and words of the sentence bank ("data", "Lagos") never make a phrase.
    assert all(BANK_WORDS.isdisjoint(phrase.split()) for phrase in phrases)


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
    engine = compile_dirs(list(workspace.layered[count].dirs))
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
