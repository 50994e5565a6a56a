"""A fixed CPU workload, timed at the start and the end of a run.

On a shared machine the same code can run at very different speeds from one
minute to the next.  The gauge does not correct anything; it shows how fast
the machine was while the numbers were taken, so two runs (or the start and
end of one) can be compared.
"""

from __future__ import annotations

import hashlib
import re
import time

_TEXT = "The quick brown fox jumps over the lazy dog. " * 2_000
_WORD = re.compile(r"\w+")
ROUNDS = 5


def _work() -> int:
    # Interpreter loop, regex and hashing: the mix a check is made of.
    total = sum(len(word) for word in _WORD.findall(_TEXT))
    digest = hashlib.sha256(_TEXT.encode()).digest()
    return total + digest[0]


def gauge_ms() -> float:
    """The fastest of a few runs of the fixed workload, in milliseconds."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        _work()
        best = min(best, time.perf_counter() - started)
    return best * 1000
