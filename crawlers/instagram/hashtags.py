"""Instagram's hashtag limit: 30 unique hashtags an account may query per 7 rolling days.

Meta counts a hashtag against an account from the first time the account
queries it (``ig_hashtag_search``, ``recent_media``, ``top_media``); for 7
days after, querying it again costs nothing, and then it drops out of the
count (https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-hashtag-search).
The ledger keeps each hashtag's first query time in the source's cursor, so
the count survives restarts and is stored in the same transaction as what
the hashtag found. A hashtag that would be the 31st is not queried: the poll
says so in its warning and the others go on. ``earful status`` shows the
count through the cursor's ``quota`` value, as it shows YouTube's units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crawlers.bounds import parse_iso

WINDOW = timedelta(days=7)


def hashtag_key(tag: str) -> str:
    """``#アクメ`` and ``アクメ`` are one hashtag; Latin case does not count."""
    return tag.strip().lstrip("#").casefold()


@dataclass
class HashtagLedger:
    """The hashtags queried in the last 7 days, with when each was first queried."""

    budget: int
    now: datetime
    first_queried: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, stored: Any, budget: int, now: datetime) -> HashtagLedger:
        """The ledger from a cursor's ``hashtags_queried``, without expired hashtags."""
        ledger = cls(budget=budget, now=now)
        for tag, when in (stored if isinstance(stored, dict) else {}).items():
            first = parse_iso(str(when))
            if first is not None and now - first < WINDOW:
                ledger.first_queried[str(tag)] = first
        return ledger

    def allows(self, tag: str) -> bool:
        """Whether ``tag`` may be queried now (already counted, or room for one more)."""
        key = hashtag_key(tag)
        return key in self.first_queried or len(self.first_queried) < self.budget

    def count(self, tag: str) -> None:
        """``tag`` is about to be queried: it counts from now, if it did not already."""
        self.first_queried.setdefault(hashtag_key(tag), self.now)

    def frees_at(self) -> datetime | None:
        """When the oldest counted hashtag leaves the window."""
        return min(self.first_queried.values()) + WINDOW if self.first_queried else None

    def as_json(self) -> dict[str, str]:
        """The cursor's ``hashtags_queried`` value."""
        return {tag: when.isoformat() for tag, when in self.first_queried.items()}

    def quota(self) -> dict[str, Any]:
        """The cursor's ``quota`` value, which ``earful status`` shows."""
        return {
            "day": self.now.date().isoformat(),
            "used": len(self.first_queried),
            "budget": self.budget,
            "unit": "hashtags in 7 days",
        }
