"""The Reddit collector (PRAW, not a Scrapy spider): searches and paused streams.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.reddit.client import (
        RedditCredentials,
        RedditCredentialsError,
        make_reddit,
    )
    from crawlers.reddit.collect import (
        RedditCollector,
        RedditParams,
        newest_items,
    )

__getattr__ = lazy_exports(
    {
        "RedditCollector": "crawlers.reddit.collect",
        "RedditCredentials": "crawlers.reddit.client",
        "RedditCredentialsError": "crawlers.reddit.client",
        "RedditParams": "crawlers.reddit.collect",
        "make_reddit": "crawlers.reddit.client",
        "newest_items": "crawlers.reddit.collect",
    }
)

__all__ = [
    "RedditCollector",
    "RedditCredentials",
    "RedditCredentialsError",
    "RedditParams",
    "make_reddit",
    "newest_items",
]
