"""The ``youtube`` kind's collector: a ``YouTubeCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.poller import PollingKind
from crawlers.youtube.client import YouTubeCredentials
from crawlers.youtube.collect import YouTubeCollector, newest_items
from crawlers.youtube.settings import YouTubeSource


def credentials(source: YouTubeSource) -> YouTubeCredentials:
    """The API key from the environment variable ``source`` names."""
    return YouTubeCredentials(
        api_key=env_secret(source.key_env),
        key_env=source.key_env,
        api_url=source.api_url,
    )


class YouTubeKind(PollingKind[YouTubeSource]):
    """Reads comment threads within the day's unit budget."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> YouTubeCollector:
        """The source's channel, videos and searches."""
        return YouTubeCollector(
            credentials(self.source),
            self.source,
            matcher,
            sessions,
            self.context.own_accounts,
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest comment threads of the channel and each video."""
        return newest_items(credentials(self.source), self.source, limit)
