"""Bluesky: the Jetstream firehose (no account) and searchPosts backfill (atproto).

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.bluesky.jetstream import (
        JetstreamCollector,
        JetstreamParams,
        newest_posts,
    )
    from crawlers.bluesky.posts import permalink, post_event, post_item
    from crawlers.bluesky.search import (
        BlueskyCredentials,
        BlueskyCredentialsError,
        BlueskySearcher,
        SearchParams,
    )
    from crawlers.bluesky.settings import JETSTREAM_URL

__getattr__ = lazy_exports(
    {
        "BlueskyCredentials": "crawlers.bluesky.search",
        "BlueskyCredentialsError": "crawlers.bluesky.search",
        "BlueskySearcher": "crawlers.bluesky.search",
        "JETSTREAM_URL": "crawlers.bluesky.settings",
        "JetstreamCollector": "crawlers.bluesky.jetstream",
        "JetstreamParams": "crawlers.bluesky.jetstream",
        "SearchParams": "crawlers.bluesky.search",
        "newest_posts": "crawlers.bluesky.jetstream",
        "permalink": "crawlers.bluesky.posts",
        "post_event": "crawlers.bluesky.posts",
        "post_item": "crawlers.bluesky.posts",
    }
)

__all__ = [
    "JETSTREAM_URL",
    "BlueskyCredentials",
    "BlueskyCredentialsError",
    "BlueskySearcher",
    "JetstreamCollector",
    "JetstreamParams",
    "SearchParams",
    "newest_posts",
    "permalink",
    "post_event",
    "post_item",
]
