"""The default retry schedule rides out a sink outage of hours, with jitter."""

from __future__ import annotations

from hookgate.config import Settings
from hookgate.dispatch.delivery import JITTER, backoff_seconds


def test_the_default_schedule_spans_about_a_day_with_jitter() -> None:
    settings = Settings()
    waits = [backoff_seconds(n, settings) for n in range(1, settings.max_attempts)]
    assert 18 * 3600 < sum(waits) < 30 * 3600  # was 8 attempts in about 4 minutes
    assert waits[0] < 10  # a blip is retried within seconds
    assert max(waits) <= settings.retry_max_wait * (1 + JITTER)
    again = [backoff_seconds(n, settings) for n in range(1, settings.max_attempts)]
    assert waits != again  # jittered: runs failing together do not return together


def test_the_schedule_is_configurable() -> None:
    settings = Settings(retry_initial_wait=1, retry_max_wait=60)
    waits = [backoff_seconds(n, settings) for n in range(1, 12)]
    assert 0.75 <= waits[0] <= 1.25
    assert all(w <= 60 * (1 + JITTER) for w in waits)
    assert waits[-1] >= 60 * (1 - JITTER)
