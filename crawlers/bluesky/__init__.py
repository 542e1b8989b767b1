"""Bluesky: the Jetstream firehose (no account) and searchPosts backfill (atproto)."""

from crawlers.bluesky.jetstream import (
    JETSTREAM_URL,
    JetstreamCollector,
    JetstreamOutcome,
    JetstreamParams,
    newest_posts,
)
from crawlers.bluesky.posts import permalink, post_event, post_item
from crawlers.bluesky.search import (
    BlueskyCredentials,
    BlueskyCredentialsError,
    BlueskySearcher,
    SearchOutcome,
    SearchParams,
)

__all__ = [
    "JETSTREAM_URL",
    "BlueskyCredentials",
    "BlueskyCredentialsError",
    "BlueskySearcher",
    "JetstreamCollector",
    "JetstreamOutcome",
    "JetstreamParams",
    "SearchOutcome",
    "SearchParams",
    "newest_posts",
    "permalink",
    "post_event",
    "post_item",
]
