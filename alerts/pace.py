"""Pacing: at most one message per second per channel, and backoff between attempts."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0


class ChannelPacer:
    """Spaces posts to one channel at least ``interval`` seconds apart, in-process.

    Slack allows about one message per second per channel; a burst beyond that
    is rate limited. Every deliverer in the process shares ``PACER`` by default,
    so two delivery runs back to back still respect the limit.
    """

    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        """Block until a message may go to ``channel``, and book that slot."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


PACER = ChannelPacer()


def backoff(
    attempts: int,
    base: float = BACKOFF_BASE_S,
    cap: float = BACKOFF_CAP_S,
    rng: Callable[[], float] = random.random,
) -> timedelta:
    """Delay before attempt ``attempts + 1``: ``base · 2^(attempts-1)``, ±50 % jitter.

    Capped at ``cap`` seconds; jitter spreads retries so a recovering Slack
    is not hit by every alert at the same second.
    """
    exponent = max(attempts - 1, 0)
    delay = min(cap, base * 2.0 ** min(exponent, 30))
    return timedelta(seconds=delay * (0.5 + rng()))
