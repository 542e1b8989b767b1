"""The ``facebook`` kind's collector: a ``FacebookCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.facebook.collect import FacebookCollector, FacebookParams, newest_items
from crawlers.facebook.settings import FacebookSource
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.metagraph import GraphAccess
from crawlers.poller import PollingKind


def params(source: FacebookSource) -> FacebookParams:
    """What the collector reads, with the Page token from the environment."""
    return FacebookParams(
        source=source.name,
        access=GraphAccess(
            env_secret(source.token_env), source.token_env, source.api_url
        ),
        page_id=source.page_id,
        comments=source.comments,
        posts_max=source.posts_max,
        ratings=source.ratings,
        max_pages=source.max_pages,
    )


class FacebookKind(PollingKind[FacebookSource]):
    """Reads comments under the Page's posts, and its ratings if asked."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> FacebookCollector:
        """The source's Page."""
        return FacebookCollector(
            params(self.source), matcher, sessions, self.context.own_accounts
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest comments (and ratings) of the Page."""
        return newest_items(params(self.source), limit)
