"""The Instagram collector (Graph API): comments on the brand's media, tags, hashtags.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.instagram.collect import (
        InstagramCollector,
        InstagramParams,
        newest_items,
    )
    from crawlers.instagram.hashtags import HashtagLedger
    from crawlers.instagram.settings import InstagramSource

__getattr__ = lazy_exports(
    {
        "HashtagLedger": "crawlers.instagram.hashtags",
        "InstagramCollector": "crawlers.instagram.collect",
        "InstagramParams": "crawlers.instagram.collect",
        "InstagramSource": "crawlers.instagram.settings",
        "newest_items": "crawlers.instagram.collect",
    }
)

__all__ = [
    "HashtagLedger",
    "InstagramCollector",
    "InstagramParams",
    "InstagramSource",
    "newest_items",
]
