"""The TikTok collector: comments on the brand's own videos (API for Business, Accounts API).

Each poll lists the account's newest ``videos_max`` videos with their
``comments`` count (``/business/video/list/``); each video whose count
changed, or that was posted in the last two days, has its comments and
replies read again, newest first (``/business/comment/list/``,
``include_replies``, up to ``max_pages`` pages of 30). A comment under the
brand's video is about the brand even when it does not name it; the
account's own replies are kept with no brand. Ids gone from a video read to
its end are counted as deleted. TikTok lets a business read nothing else of
other people's: see docs/config.md, "TikTok".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crawlers.bounds import from_timestamp
from crawlers.errors import CollectorError
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess, GraphError
from crawlers.metapoll import GraphPoller, Watch
from crawlers.outcome import Outcome
from crawlers.tiktok.client import TikTokClient
from crawlers.tiktok.things import (
    ACCOUNT_FIELDS,
    VIDEO_FIELDS,
    Account,
    account_of,
    comment_item,
)

PAGE = 30  # the comment list's largest page


@dataclass(frozen=True)
class TikTokParams:
    """What one TikTok source reads."""

    source: str
    access: GraphAccess
    business_id: str
    videos_max: int = 20
    max_pages: int = 3


class TikTokCollector(GraphPoller):
    """Polls one TikTok source; see the module docstring."""

    kind = "tiktok"

    def __init__(
        self,
        params: TikTokParams,
        matcher: Matcher,
        sessions: sessionmaker[Session],
        own_accounts: Iterable[str] = (),
    ) -> None:
        super().__init__(params.source, params.access, matcher, sessions, own_accounts)
        self.params = params
        self.tiktok: TikTokClient | None = None
        self.account: Account | None = None

    def _poll(self, outcome: Outcome) -> None:
        if self.tiktok is None:
            self.tiktok = TikTokClient(self.params.access)
        if self.account is None:
            query = {"business_id": self.params.business_id, "fields": ACCOUNT_FIELDS}
            data = self.tiktok.get("business/get/", query)
            self.account = account_of(self.params.business_id, data)
        self._videos(self.tiktok, self.account, outcome)

    def _videos(self, client: TikTokClient, account: Account, outcome: Outcome) -> None:
        query = {
            "business_id": account.business_id,
            "fields": VIDEO_FIELDS,
            "max_count": self.params.videos_max,
        }
        videos = client.get("business/video/list/", query).get("videos") or []
        watches = {
            str(video.get("item_id")): Watch(
                video,
                video.get("comments"),
                self.recent(_when(video.get("create_time"))),
            )
            for video in videos
            if isinstance(video, dict)
        }
        self.follow(
            "videos",
            watches,
            lambda video: self._comments(client, account, video, outcome),
            outcome,
        )

    def _comments(
        self, client: TikTokClient, account: Account, video: Any, outcome: Outcome
    ) -> tuple[list[MentionItem], set[str], bool]:
        """The video's comments and replies, their ids, and whether all were read."""
        items: list[MentionItem] = []
        ids: set[str] = set()
        query: dict[str, Any] = {
            "business_id": account.business_id,
            "video_id": video["item_id"],
            "include_replies": "true",
            "sort_field": "create_time",
            "sort_order": "desc",
            "max_count": PAGE,
        }
        own = (f"@{account.username}",)
        for _ in range(self.params.max_pages):
            data = client.get("business/comment/list/", query)
            for comment in data.get("comments") or []:
                if isinstance(comment, dict) and comment.get("comment_id"):
                    ids.add(str(comment["comment_id"]))
                parse = partial(comment_item, self.source, comment, video, account)
                items += self.read(parse, outcome, own)
            if not data.get("has_more"):
                return items, ids, True
            query["cursor"] = data.get("cursor")
        return items, ids, False


def _when(seconds: Any) -> datetime | None:
    try:
        return from_timestamp(float(seconds))
    except (TypeError, ValueError):
        return None


def newest_items(params: TikTokParams, limit: int = 10) -> list[MentionItem]:
    """The newest comments on the brand's newest videos.

    For ``earful source check``: nothing stored, no cursor.
    """
    try:
        client = TikTokClient(params.access)
    except GraphError as exc:
        msg = f"tiktok source {params.source}: {exc}"
        raise CollectorError(msg) from None
    items: list[MentionItem] = []
    try:
        query = {"business_id": params.business_id, "fields": ACCOUNT_FIELDS}
        account = account_of(params.business_id, client.get("business/get/", query))
        videos_query = {
            "business_id": params.business_id,
            "fields": VIDEO_FIELDS,
            "max_count": 3,
        }
        for video in (
            client.get("business/video/list/", videos_query).get("videos") or []
        ):
            comments_query = {
                "business_id": params.business_id,
                "video_id": video["item_id"],
                "max_count": min(limit, PAGE),
            }
            data = client.get("business/comment/list/", comments_query)
            items += [
                comment_item(params.source, c, video, account)
                for c in data.get("comments") or []
            ]
    except GraphError as exc:
        msg = f"tiktok source {params.source}: {exc}"
        raise CollectorError(msg) from None
    finally:
        client.close()
    return items
