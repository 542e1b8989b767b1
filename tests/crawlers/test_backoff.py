"""The one back-off every collector uses: doubling waits, capped, reset on success."""

from __future__ import annotations

import pytest

from crawlers.backoff import Backoff, doubling


def test_server_errors_double_the_wait_up_to_the_cap() -> None:
    backoff = Backoff(first=60.0, cap=900.0)
    assert [backoff.failed() for _ in range(6)] == [60, 120, 240, 480, 900, 900]
    assert 899 < backoff.waiting() <= 900
    backoff.succeeded()
    assert backoff.failed() == 60


def test_a_rate_limit_waits_its_reset_without_counting_a_failure() -> None:
    backoff = Backoff(first=1.0, cap=0.2)
    backoff.wait_for(30)
    assert 29 < backoff.waiting() <= 30
    backoff.wait_for(-5)
    assert backoff.waiting() == 0
    assert backoff.failed() == pytest.approx(0.2)  # a cap below first wins


def test_a_long_outage_stays_at_the_cap() -> None:
    assert doubling(5_000, 1.5, 60.0) == 60.0
    assert doubling(1, 1.5, 60.0) == 1.5
    assert doubling(3, 0.0, 60.0) == 0.0
