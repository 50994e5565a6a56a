"""When to poll next: a jittered interval, exponential backoff, and the server's hints.

Jitter spreads a hundred thousand agents over the interval instead of a thundering
herd at the top of the hour; equal-jitter backoff (half fixed, half random) never
retries immediately.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Schedule:
    poll_interval_s: float
    jitter: float = 0.1
    backoff_base_s: float = 30.0
    backoff_cap_s: float = 3600.0
    max_honoured_s: float = 86400.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def first_delay(self) -> float:
        """A random start within the first minute (or interval, if shorter)."""
        return self.rng.uniform(0.0, min(60.0, self.poll_interval_s))

    def after_success(self, max_age_s: float | None = None) -> float:
        self.failures = 0
        delay = self.poll_interval_s * self.rng.uniform(1.0 - self.jitter, 1.0 + self.jitter)
        if max_age_s is not None:
            # The index is fresh for max-age: asking earlier would only get the same bytes.
            delay = max(delay, min(max_age_s, self.max_honoured_s))
        return delay

    def after_failure(self, retry_after_s: float | None = None) -> float:
        self.failures += 1
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2.0 ** min(self.failures - 1, 30))
        delay = ceiling / 2 + self.rng.uniform(0.0, ceiling / 2)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self.max_honoured_s))
        return delay

    def after_rejection(self) -> float:
        """A bad publication is not fixed by retrying sooner; poll at the normal pace."""
        self.failures = 0
        return self.after_success()
