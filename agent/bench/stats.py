"""Timing loops and latency summaries (nanosecond clock, warm-up, adaptive counts)."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict


class Latency(BaseModel):
    """A latency distribution in microseconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    samples: int
    p50_us: float
    p99_us: float
    mean_us: float
    max_us: float


class LoopPlan(BaseModel):
    """How long to time one case: at least ``min_samples``, then until ``seconds`` or
    ``max_samples``; a slow case stops at ``max_seconds``. A p99 needs a few hundred
    samples to mean anything, so the report carries the sample count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    warmup: int = 20
    min_samples: int = 300
    max_samples: int = 5000
    seconds: float = 1.0
    max_seconds: float = 3.0


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return float(sorted_values[rank - 1])


def summarize_ns(samples_ns: Sequence[int]) -> Latency:
    ordered = sorted(samples_ns)
    return Latency(
        samples=len(ordered),
        p50_us=percentile(ordered, 0.50) / 1000,
        p99_us=percentile(ordered, 0.99) / 1000,
        mean_us=sum(ordered) / len(ordered) / 1000,
        max_us=ordered[-1] / 1000,
    )


def time_calls(call: Callable[[], object], plan: LoopPlan) -> Latency:
    return summarize_ns(sample_calls(call, plan))


def sample_calls(call: Callable[[], object], plan: LoopPlan) -> list[int]:
    """Time ``call`` repeatedly; garbage collection stays on because it is part of real cost."""
    clock = time.perf_counter_ns
    warm_until = clock() + int(plan.max_seconds * 1e8)  # a tenth of the case's time at most
    for _ in range(plan.warmup):
        call()
        if clock() >= warm_until:
            break
    gc.collect()
    samples: list[int] = []
    began = clock()
    deadline, hard_stop = began + int(plan.seconds * 1e9), began + int(plan.max_seconds * 1e9)
    while len(samples) < plan.max_samples:
        start = clock()
        call()
        end = clock()
        samples.append(end - start)
        if end >= hard_stop or (len(samples) >= plan.min_samples and end >= deadline):
            break
    return samples


def share(plan: LoopPlan, rounds: int) -> LoopPlan:
    """One round's part of ``plan`` when a case is timed in ``rounds`` interleaved rounds."""
    return plan.model_copy(
        update={
            "min_samples": max(1, plan.min_samples // rounds),
            "max_samples": max(1, plan.max_samples // rounds),
            "seconds": plan.seconds / rounds,
            "max_seconds": plan.max_seconds / rounds,
        }
    )
