"""What one benchmark run measures, and how long it may spend on each part."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.bench.stats import LoopPlan

SECTIONS: tuple[str, ...] = ("engine", "compile", "start", "http")


class BenchConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    quick: bool = False
    text_sizes: tuple[int, ...] = (280, 3_000, 30_000)
    phrase_counts: tuple[int, ...] = (1_000, 10_000, 100_000)
    hashed_count: int = 10_000
    # Regex alternations are timed only up to this many phrases: beyond it a single
    # scan of a long post takes many seconds and the point is already made.
    regex_max_phrases: int = 10_000
    planted_per_post: int = 2
    seed: int = 20261
    engine_plan: LoopPlan = LoopPlan()
    # Engine cells and bare scans are timed in this many interleaved rounds.
    rounds: int = 3
    baseline_plan: LoopPlan = LoopPlan(
        warmup=1, min_samples=3, max_samples=2000, seconds=1.0, max_seconds=2.0
    )
    http_text_chars: int = 3_000
    http_concurrency: tuple[int, ...] = (1, 20, 100)
    http_seconds: float = 3.0
    http_warmup_seconds: float = 0.5
    idle_seconds: float = 5.0
    sections: tuple[str, ...] = Field(default=SECTIONS)

    @classmethod
    def quick_config(cls, sections: tuple[str, ...] = SECTIONS) -> BenchConfig:
        """Tiny sizes for a smoke run: checks shapes and sanity, not budgets."""
        return cls(
            quick=True,
            text_sizes=(280, 1_000),
            phrase_counts=(200, 1_000),
            hashed_count=200,
            regex_max_phrases=1_000,
            engine_plan=LoopPlan(
                warmup=2, min_samples=20, max_samples=200, seconds=0.05, max_seconds=0.5
            ),
            baseline_plan=LoopPlan(
                warmup=1, min_samples=3, max_samples=50, seconds=0.05, max_seconds=0.5
            ),
            rounds=1,
            http_text_chars=280,
            http_concurrency=(1, 4),
            http_seconds=0.3,
            http_warmup_seconds=0.1,
            idle_seconds=0.5,
            sections=sections,
        )
