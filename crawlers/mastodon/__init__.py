"""The Mastodon collector (Mastodon.py): hashtag and public timelines, keyword search.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.mastodon.client import InstanceAccess
    from crawlers.mastodon.collect import (
        MastodonCollector,
        MastodonParams,
        newest_items,
    )
    from crawlers.mastodon.settings import default_token_env, instance_name

__getattr__ = lazy_exports(
    {
        "InstanceAccess": "crawlers.mastodon.client",
        "MastodonCollector": "crawlers.mastodon.collect",
        "MastodonParams": "crawlers.mastodon.collect",
        "default_token_env": "crawlers.mastodon.settings",
        "instance_name": "crawlers.mastodon.settings",
        "newest_items": "crawlers.mastodon.collect",
    }
)

__all__ = [
    "InstanceAccess",
    "MastodonCollector",
    "MastodonParams",
    "default_token_env",
    "instance_name",
    "newest_items",
]
