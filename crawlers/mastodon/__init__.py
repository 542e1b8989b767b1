"""The Mastodon collector (Mastodon.py): hashtag and public timelines, keyword search."""

from crawlers.mastodon.client import (
    InstanceAccess,
    default_token_env,
    instance_name,
)
from crawlers.mastodon.collect import MastodonCollector, MastodonParams, newest_items

__all__ = [
    "InstanceAccess",
    "MastodonCollector",
    "MastodonParams",
    "default_token_env",
    "instance_name",
    "newest_items",
]
