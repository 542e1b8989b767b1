"""TikTok comments on the brand's own videos as MentionItems."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crawlers.bounds import bounded_int, from_timestamp, reads_item
from crawlers.items import MentionItem
from crawlers.text import one_line, truncate

SITE = "TikTok"
ACCOUNT_FIELDS = json.dumps(["username", "display_name", "followers_count"])
VIDEO_FIELDS = json.dumps(
    ["item_id", "create_time", "caption", "share_url", "likes", "comments"]
)
MAX_TITLE = 200


@dataclass(frozen=True)
class Account:
    """The brand's TikTok business account."""

    business_id: str
    username: str
    display_name: str
    followers: int | None

    @property
    def about(self) -> str:
        """What a comment under the account's own video is about: the account."""
        return f"{self.display_name} (@{self.username})".strip()


def account_of(business_id: str, data: Any) -> Account:
    """The account read from ``/business/get/``."""
    return Account(
        business_id=business_id,
        username=str(data.get("username") or ""),
        display_name=str(data.get("display_name") or ""),
        followers=bounded_int(data.get("followers_count")),
    )


@reads_item
def comment_item(
    source: str, comment: Any, video: Any, account: Account
) -> MentionItem:
    """A comment (or a reply, with ``parent_comment_id``) under the brand's ``video``."""
    comment_id = str(comment["comment_id"])
    video_id = str(video["item_id"])
    parent = comment.get("parent_comment_id")
    # A top-level comment's parent is its video (or "0"): only a reply has one.
    parent = str(parent) if parent and str(parent) not in {"0", video_id} else None
    username = comment.get("username")
    created = comment.get("create_time")
    return MentionItem(
        source=source,
        source_type="tiktok",
        external_id=f"tiktok:comment:{comment_id}",
        url=video.get("share_url") or None,
        title=truncate(one_line(str(video.get("caption") or "")), MAX_TITLE) or None,
        text=str(comment.get("text") or ""),
        author=f"@{username}" if username else None,
        site_name=SITE,
        thread_id=f"tiktok:video:{video_id}",
        parent_id=f"tiktok:comment:{parent}" if parent else f"tiktok:video:{video_id}",
        top_level=parent is None,
        score=comment.get("likes"),
        comments=comment.get("replies"),
        published_at=from_timestamp(float(created)) if created is not None else None,
        about=account.about,
        raw={"id": comment_id, "video_id": video_id, "status": comment.get("status")},
    )
