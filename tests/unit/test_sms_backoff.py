"""The retry schedule: exponential, jittered, capped."""

from __future__ import annotations

from datetime import timedelta

from locker_app.sms.relay import BACKOFF_BASE, BACKOFF_CAP, backoff


def test_backoff_doubles_from_the_base() -> None:
    assert [backoff(n, lambda: 1.0) for n in (1, 2, 3, 4)] == [BACKOFF_BASE * k for k in (1, 2, 4, 8)]


def test_jitter_spreads_retries_over_the_upper_half() -> None:
    assert backoff(3, lambda: 0.0) == BACKOFF_BASE * 2
    assert backoff(3, lambda: 0.5) == BACKOFF_BASE * 3
    assert backoff(3, lambda: 1.0) == BACKOFF_BASE * 4


def test_backoff_stops_growing_at_the_cap() -> None:
    assert backoff(30, lambda: 1.0) == BACKOFF_CAP
    assert backoff(30, lambda: 0.0) == BACKOFF_CAP / 2
    assert timedelta(hours=1) >= BACKOFF_CAP
