"""The ``x`` kind's collector: an ``XCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.poller import PollingKind
from crawlers.x.client import XCredentials
from crawlers.x.collect import XCollector, newest_items
from crawlers.x.settings import XSource


def credentials(source: XSource) -> XCredentials:
    """The bearer token from the environment variable ``source`` names."""
    return XCredentials(
        bearer_token=env_secret(source.token_env),
        token_env=source.token_env,
        api_url=source.api_url,
    )


class XKind(PollingKind[XSource]):
    """Searches X for each brand."""

    def open(self, matcher: Matcher, sessions: sessionmaker[Session]) -> XCollector:
        """The source's searches."""
        return XCollector(
            credentials(self.source),
            self.source,
            matcher,
            sessions,
            self.context.own_accounts,
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest posts of each brand's first query."""
        matcher = Matcher(self.context.brands)
        return newest_items(credentials(self.source), self.source, matcher, limit)
