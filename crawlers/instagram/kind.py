"""The ``instagram`` kind's collector: an ``InstagramCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.instagram.collect import (
    InstagramCollector,
    InstagramParams,
    newest_items,
)
from crawlers.instagram.settings import InstagramSource
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.poller import PollingKind


def params(source: InstagramSource) -> InstagramParams:
    """What the collector reads, with the token from the environment."""
    return InstagramParams(
        source=source.name,
        access=GraphAccess(
            env_secret(source.token_env), source.token_env, source.api_url
        ),
        user_id=source.user_id,
        comments=source.comments,
        media_max=source.media_max,
        tags=source.tags,
        hashtags=tuple(source.hashtags),
        top_media=source.top_media,
        hashtag_budget=source.hashtag_budget,
        max_pages=source.max_pages,
    )


class InstagramKind(PollingKind[InstagramSource]):
    """Reads comments on the brand's media, its tags and hashtags."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> InstagramCollector:
        """The source's account."""
        return InstagramCollector(
            params(self.source), matcher, sessions, self.context.own_accounts
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest comments and tagged media (no hashtag: each counts)."""
        return newest_items(params(self.source), limit)
