import random

import pytest

from agent.sync.schedule import Schedule


def schedule(**kw: float) -> Schedule:
    return Schedule(poll_interval_s=900, rng=random.Random(7), **kw)


def test_polls_are_jittered_around_the_interval() -> None:
    s = schedule()
    delays = [s.after_success() for _ in range(200)]
    assert all(810 <= d <= 990 for d in delays)
    assert max(delays) - min(delays) > 100  # actually spread, not constant


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    s = schedule(backoff_base_s=30, backoff_cap_s=3600)
    delays = [s.after_failure() for _ in range(12)]
    assert 15 <= delays[0] <= 30
    assert 30 <= delays[1] <= 60
    assert 60 <= delays[2] <= 120
    assert all(1800 <= d <= 3600 for d in delays[-4:])
    s.after_success()
    assert s.after_failure() <= 30  # a success resets the backoff


@pytest.mark.parametrize(("hint", "at_least"), [(120, 120), (10**9, 86400)])
def test_retry_after_is_honoured_but_capped(hint: float, at_least: float) -> None:
    delay = schedule().after_failure(retry_after_s=hint)
    assert at_least <= delay <= max(at_least, 30)


def test_max_age_defers_the_next_poll_but_is_capped() -> None:
    assert schedule().after_success(max_age_s=5000) == 5000
    assert schedule().after_success(max_age_s=10**9) == 86400
    assert schedule().after_success(max_age_s=10) >= 810


def test_first_poll_is_spread_over_a_minute() -> None:
    s = schedule()
    firsts = [s.first_delay() for _ in range(100)]
    assert all(0 <= d <= 60 for d in firsts) and max(firsts) > 30
