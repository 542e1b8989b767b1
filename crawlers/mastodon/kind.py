"""The ``mastodon`` kind's collector: a ``MastodonCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.mastodon.client import InstanceAccess
from crawlers.mastodon.collect import MastodonCollector, MastodonParams, newest_items
from crawlers.mastodon.settings import MastodonSource
from crawlers.match import Matcher
from crawlers.poller import PollingKind


def params(source: MastodonSource) -> MastodonParams:
    """What the collector reads, with each instance's token from the environment."""
    access = tuple(
        InstanceAccess(i, env_secret(source.token_env(i)), source.token_env(i))
        for i in source.instances
    )
    return MastodonParams(
        source=source.name,
        instances=access,
        hashtags=tuple(source.hashtags),
        public_timeline=source.public_timeline,
        local_only=source.local_only,
        search=source.search,
        max_pages=source.max_pages,
    )


class MastodonKind(PollingKind[MastodonSource]):
    """Reads hashtags, timelines and searches on each instance."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> MastodonCollector:
        """The source's instances."""
        return MastodonCollector(
            params(self.source), matcher, sessions, self.context.own_accounts
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest statuses of each hashtag or timeline."""
        return newest_items(params(self.source), limit)
