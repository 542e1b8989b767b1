"""The ``threads`` kind's collector: a ``ThreadsCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.poller import PollingKind
from crawlers.threads.collect import ThreadsCollector, ThreadsParams, newest_items
from crawlers.threads.settings import ThreadsSource


def params(source: ThreadsSource) -> ThreadsParams:
    """What the collector reads, with the token from the environment."""
    return ThreadsParams(
        source=source.name,
        access=GraphAccess(
            env_secret(source.token_env), source.token_env, source.api_url
        ),
        user_id=source.user_id,
        replies=source.replies,
        follow_days=source.follow_days,
        posts_max=source.posts_max,
        mentions=source.mentions,
        search=source.search,
        search_budget=source.search_budget,
        max_pages=source.max_pages,
    )


class ThreadsKind(PollingKind[ThreadsSource]):
    """Reads replies to the brand's posts, its mentions, and keyword searches."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> ThreadsCollector:
        """The source's profile."""
        return ThreadsCollector(
            params(self.source), matcher, sessions, self.context.own_accounts
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest replies and mentions (no search: each query counts)."""
        return newest_items(params(self.source), limit)
