"""The generated inputs of one run: phrase lists, posts and pack directories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.bench.config import BenchConfig
from agent.bench.corpus import generate_phrases, generate_post
from agent.bench.packs import write_phrase_pack
from agent.paths import BUNDLED_PACKS


@dataclass(frozen=True)
class PackSet:
    """A named, ordered list of pack directories the engine loads together."""

    name: str
    phrases: int
    dirs: tuple[Path, ...]


@dataclass(frozen=True)
class Workspace:
    root: Path
    phrases: list[str]
    posts: dict[int, str]
    # bundled + a generated pack (phrases and a hashed list), one per phrase count
    layered: dict[int, PackSet]
    # a generated phrases-only pack alone, one per phrase count: compared with the baselines
    phrase_only: dict[int, PackSet]

    @property
    def bundled(self) -> PackSet:
        return PackSet("bundled", 0, BUNDLED_PACKS)


def count_label(count: int) -> str:
    return f"{count // 1000}k" if count >= 1000 and count % 1000 == 0 else str(count)


def build_workspace(root: Path, config: BenchConfig) -> Workspace:
    largest = max(config.phrase_counts)
    phrases = generate_phrases(largest, config.seed)
    hashed = generate_phrases(config.hashed_count, config.seed + 1)
    # The planted phrases come first, so every prefix (every pack size) contains them;
    # one hashed entry is planted too, so the hashed path yields a finding as well.
    plant = [*phrases[: config.planted_per_post], hashed[0]]
    posts = {size: generate_post(size, config.seed + size, plant) for size in config.text_sizes}
    layered: dict[int, PackSet] = {}
    phrase_only: dict[int, PackSet] = {}
    for count in config.phrase_counts:
        subset = phrases[:count]
        generated = write_phrase_pack(root, f"bench-{count}", subset, hashed)
        layered[count] = PackSet(
            f"bundled+{count_label(count)}", count, (*BUNDLED_PACKS, generated)
        )
        alone = write_phrase_pack(root, f"bench-only-{count}", subset)
        phrase_only[count] = PackSet(f"phrases-{count_label(count)}", count, (alone,))
    return Workspace(root, phrases, posts, layered, phrase_only)
