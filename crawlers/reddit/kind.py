"""The ``reddit`` kind's collector: a ``RedditCollector`` kept across polls."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from crawlers.collector import env_secret
from crawlers.items import MentionItem
from crawlers.match import Matcher
from crawlers.poller import PollingKind
from crawlers.reddit.client import RedditCredentials
from crawlers.reddit.collect import RedditCollector, RedditParams, newest_items
from crawlers.reddit.settings import RedditSource


def credentials(source: RedditSource) -> RedditCredentials:
    """The credentials from the environment variables ``source`` names."""
    return RedditCredentials(
        client_id=env_secret(source.client_id_env),
        client_secret=env_secret(source.client_secret_env),
        user_agent=env_secret(source.user_agent_env),
        client_id_env=source.client_id_env,
        client_secret_env=source.client_secret_env,
        user_agent_env=source.user_agent_env,
        praw_site=source.praw_site,
        oauth_url=source.api_url,
        reddit_url=source.api_url,
    )


def params(source: RedditSource) -> RedditParams:
    """What the collector watches."""
    return RedditParams(
        source=source.name,
        subreddits=tuple(source.subreddits),
        search=source.search,
        search_time=source.search_time,
        search_every=source.search_interval,
        stream_submissions=source.stream_submissions,
        stream_comments=source.stream_comments,
        include_all=source.include_all,
        follow_threads=source.follow_threads,
        thread_more_limit=source.thread_more_limit,
    )


class RedditKind(PollingKind[RedditSource]):
    """Polls one Reddit source; its streams live on between polls."""

    def open(
        self, matcher: Matcher, sessions: sessionmaker[Session]
    ) -> RedditCollector:
        """The source's streams and searches."""
        return RedditCollector(
            credentials(self.source),
            params(self.source),
            matcher,
            sessions,
            self.context.own_accounts,
        )

    def newest(self, limit: int) -> list[MentionItem]:
        """The newest submissions and comments of each subreddit."""
        return newest_items(credentials(self.source), params(self.source), limit)
