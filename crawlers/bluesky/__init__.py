"""Bluesky: the Jetstream firehose (no account) and searchPosts backfill (atproto)."""

from crawlers.bluesky.jetstream import (
    JETSTREAM_URL,
    JetstreamCollector,
    JetstreamOutcome,
    JetstreamParams,
)
from crawlers.bluesky.posts import permalink, post_event, post_item

__all__ = [
    "JETSTREAM_URL",
    "JetstreamCollector",
    "JetstreamOutcome",
    "JetstreamParams",
    "permalink",
    "post_event",
    "post_item",
]
