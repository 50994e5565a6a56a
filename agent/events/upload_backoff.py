"""When to try an upload again: exponential backoff with full jitter, and Retry-After."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

RETRY_AFTER_MAX_S: Final = 3600.0


@dataclass
class Backoff:
    """Full-jitter exponential backoff (each delay uniform in [0, min(cap, base * 2**n)]).

    Jitter spreads a fleet of agents that all lost the collector at once, so they
    do not come back in lock step.
    """

    base_s: float = 2.0
    cap_s: float = 600.0
    rand: Callable[[], float] = field(default=random.random)
    failures: int = 0

    def next_delay(self, retry_after_s: float | None = None) -> float:
        ceiling = min(self.cap_s, self.base_s * 2.0 ** min(self.failures, 30))
        self.failures += 1
        delay = ceiling * self.rand()
        if retry_after_s is not None:
            # The server said when: never sooner; a bogus far-off date is bounded.
            delay = max(delay, min(retry_after_s, RETRY_AFTER_MAX_S))
        return delay

    def reset(self) -> None:
        self.failures = 0
