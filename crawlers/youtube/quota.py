"""The YouTube Data API's daily quota, counted per Pacific-time day and kept under a budget.

Google gives a project 10,000 units a day by default and resets the count at
midnight Pacific Time. Every call costs units whether it finds anything or
not: ``search.list`` 100, ``commentThreads.list`` 1, ``videos.list`` 1. The
ledger is part of the source's cursor, so the count survives restarts and is
stored in the same transaction as what the units bought; ``earful status``
reads it from there. A call that would take the day past the budget is not
made (``QuotaBudgetError``); a 403 ``quotaExceeded`` from Google (another app
sharing the project, a lower real quota) marks the day as spent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawlers.errors import CollectorError

PACIFIC = ZoneInfo("America/Los_Angeles")
COSTS = {"search.list": 100, "commentThreads.list": 1, "videos.list": 1}


class QuotaBudgetError(CollectorError):
    """The call would take today's units past the configured budget."""


def pacific_day(now: datetime) -> str:
    """The quota day ``now`` falls in, as ``YYYY-MM-DD`` in Pacific Time."""
    return now.astimezone(PACIFIC).date().isoformat()


@dataclass
class QuotaLedger:
    """Units used on ``day`` (Pacific) against ``budget``."""

    budget: int
    day: str
    used: int = 0

    @classmethod
    def load(cls, stored: Any, budget: int, now: datetime) -> QuotaLedger:
        """The ledger from a cursor's ``quota`` value; a new day starts at 0."""
        today = pacific_day(now)
        if isinstance(stored, dict) and stored.get("day") == today:
            return cls(budget=budget, day=today, used=int(stored.get("used", 0)))
        return cls(budget=budget, day=today)

    def spend(self, method: str) -> None:
        """Count ``method``'s cost, or raise if it does not fit in the budget."""
        cost = COSTS[method]
        if self.used + cost > self.budget:
            msg = (
                f"daily quota budget reached: {self.used} of {self.budget} units "
                f"used on {self.day} (Pacific), {method} needs {cost}; "
                "collection resumes after midnight Pacific Time"
            )
            raise QuotaBudgetError(msg)
        self.used += cost

    def exhausted(self) -> None:
        """Google said the quota is spent: nothing more today."""
        self.used = max(self.used, self.budget)

    def as_json(self) -> dict[str, Any]:
        """The ``quota`` value of the cursor (``budget`` for ``earful status``)."""
        return {
            "day": self.day,
            "used": self.used,
            "budget": self.budget,
            "unit": "units",
            "zone": "Pacific",
        }
