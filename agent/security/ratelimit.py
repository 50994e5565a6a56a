"""A token bucket for failed attempts (bad tokens, wrong pairing codes).

Every caller comes from loopback, so there is no per-address key: the bucket is global.
While it is empty every attempt is refused without being checked — otherwise a guesser
would learn from a 200 among the 429s — at the price that a flood also locks out the real
extension until the bucket refills (seconds; see docs/THREAT_MODEL.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class FailureLimiter:
    def __init__(
        self,
        burst: int,
        refill_per_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._capacity = float(burst)
        self._tokens = float(burst)
        self._refill = refill_per_s
        self._clock = clock
        self._stamp = clock()

    def _update(self) -> None:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._refill)
        self._stamp = now

    def blocked(self) -> bool:
        """True while failures have used up the allowance; the attempt must not be checked."""
        self._update()
        return self._tokens < 1.0

    def record_failure(self) -> None:
        self._update()
        self._tokens = max(0.0, self._tokens - 1.0)

    def retry_after_s(self) -> int:
        self._update()
        missing = max(0.0, 1.0 - self._tokens)
        return max(1, int(missing / self._refill + 0.999))
