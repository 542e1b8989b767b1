"""The ``tiktok`` kind's collector: a ``TikTokCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.poller import PollingKind
from crawlers.tiktok.collect import TikTokCollector, TikTokParams, newest_items
from crawlers.tiktok.settings import TikTokSource


def params(source: TikTokSource) -> TikTokParams:
    """What the collector reads, with the token from the environment."""
    return TikTokParams(
        source=source.name,
        access=GraphAccess(
            env_secret(source.token_env), source.token_env, source.api_url
        ),
        business_id=source.business_id,
        videos_max=source.videos_max,
        max_pages=source.max_pages,
    )


class TikTokKind(PollingKind[TikTokSource]):
    """Reads comments on the brand's own videos."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> TikTokCollector:
        """The source's business account."""
        return TikTokCollector(
            params(self.source), matcher, sessions, self.context.own_accounts
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest comments on the account's newest videos."""
        return newest_items(params(self.source), limit)
