"""The ``youtube`` kind's collector: a ``YouTubeCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.poller import PollingKind
from crawlers.youtube.client import YouTubeCredentials
from crawlers.youtube.collect import YouTubeCollector, YouTubeParams, newest_items
from crawlers.youtube.settings import YouTubeSource


def credentials(source: YouTubeSource) -> YouTubeCredentials:
    """The API key from the environment variable ``source`` names."""
    return YouTubeCredentials(
        api_key=env_secret(source.key_env),
        key_env=source.key_env,
        api_url=source.api_url,
    )


def params(source: YouTubeSource) -> YouTubeParams:
    """What the collector watches."""
    return YouTubeParams(
        source=source.name,
        channel_id=source.channel_id,
        videos=tuple(source.videos),
        search=source.search,
        search_every=source.search_interval,
        follow_days=source.follow_days,
        follow_every=source.follow_every,
        follow_max=source.follow_max,
        max_pages=source.max_pages,
        daily_budget=source.daily_budget,
    )


class YouTubeKind(PollingKind[YouTubeSource]):
    """Reads comment threads within the day's unit budget."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> YouTubeCollector:
        """The source's channel, videos and searches."""
        return YouTubeCollector(
            credentials(self.source),
            params(self.source),
            matcher,
            sessions,
            self.context.own_accounts,
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest comment threads of the channel and each video."""
        return newest_items(credentials(self.source), params(self.source), limit)
