"""The Reddit collector (PRAW, not a Scrapy spider): searches and paused streams."""

from crawlers.reddit.client import (
    RedditCredentials,
    RedditCredentialsError,
    make_reddit,
)
from crawlers.reddit.collect import (
    RedditCollector,
    RedditOutcome,
    RedditParams,
    newest_items,
)

__all__ = [
    "RedditCollector",
    "RedditCredentials",
    "RedditCredentialsError",
    "RedditOutcome",
    "RedditParams",
    "make_reddit",
    "newest_items",
]
