"""Threads posts and replies as MentionItems, and the 2,200-searches-a-day ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crawlers.bounds import parse_iso, reads_item
from crawlers.items import MentionItem
from crawlers.text import one_line, truncate

SITE = "Threads"
USER_FIELDS = "id,username,name"
POST_FIELDS = "id,text,timestamp,permalink,username,is_reply,root_post,replied_to"
WINDOW = timedelta(hours=24)
MAX_TITLE = 200


@dataclass(frozen=True)
class Account:
    """The brand's Threads profile."""

    user_id: str
    username: str
    name: str

    @property
    def about(self) -> str:
        """What a reply under the account's own post is about: the account."""
        return f"{self.name} (@{self.username})".strip()


def account_of(node: Any) -> Account:
    """The Threads User node read with ``USER_FIELDS``."""
    return Account(
        user_id=str(node["id"]),
        username=str(node.get("username") or ""),
        name=str(node.get("name") or ""),
    )


def _ref(node: Any) -> str | None:
    return str(node["id"]) if isinstance(node, dict) and node.get("id") else None


@reads_item
def post_item(
    source: str, post: Any, via: str, root: Any = None, about: str | None = None
) -> MentionItem:
    """A post (a mention, a search hit) or a reply under ``root``, the brand's post.

    A reply's thread is its root post; it answers the opening post when its
    ``replied_to`` is the root, and then ``about`` (the brand's account) counts.
    """
    post_id = str(post["id"])
    username = post.get("username")
    root_id = _ref(post.get("root_post")) or (str(root["id"]) if root else post_id)
    replied_to = _ref(post.get("replied_to"))
    caption = root.get("text") if isinstance(root, dict) else None
    return MentionItem(
        source=source,
        source_type="threads",
        external_id=f"threads:{post_id}",
        url=post.get("permalink") or None,
        title=truncate(one_line(str(caption or "")), MAX_TITLE) or None,
        text=str(post.get("text") or ""),
        author=f"@{username}" if username else None,
        site_name=SITE,
        thread_id=f"threads:{root_id}",
        parent_id=f"threads:{replied_to}" if replied_to else None,
        top_level=replied_to is None or replied_to == root_id,
        published_at=parse_iso(str(post.get("timestamp") or "")),
        about=about,
        raw={"id": post_id, "via": via},
    )


@dataclass
class SearchLedger:
    """Keyword queries sent per hour, for Threads' 2,200 per rolling 24 hours.

    Threads counts each query for 24 hours after it is sent, except those
    that return nothing. Counting by the hour keeps the cursor small and
    errs on the safe side: an hour's queries leave the count when its last
    minute is 24 hours old.
    """

    budget: int
    now: datetime
    hours: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, stored: Any, budget: int, now: datetime) -> SearchLedger:
        """The ledger from a cursor's ``searches``, without hours past the window."""
        ledger = cls(budget=budget, now=now)
        for hour, count in (stored if isinstance(stored, dict) else {}).items():
            start = parse_iso(str(hour))
            if start is not None and now - start < WINDOW + timedelta(hours=1):
                ledger.hours[str(hour)] = int(count)
        return ledger

    @property
    def used(self) -> int:
        """Queries counted in the last 24 hours."""
        return sum(self.hours.values())

    def allows(self) -> bool:
        """Whether one more query fits in the budget."""
        return self.used < self.budget

    def count(self) -> None:
        """A query that returned posts: it counts for 24 hours."""
        hour = self.now.replace(minute=0, second=0, microsecond=0).isoformat()
        self.hours[hour] = self.hours.get(hour, 0) + 1

    def quota(self) -> dict[str, Any]:
        """The cursor's ``quota`` value, which ``earful status`` shows."""
        return {
            "day": self.now.date().isoformat(),
            "used": self.used,
            "budget": self.budget,
            "unit": "keyword searches in 24 hours",
        }
