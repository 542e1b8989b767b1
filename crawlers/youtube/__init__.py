"""The YouTube comments collector: channel and video threads, brand searches, quota.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.youtube.client import (
        YouTubeCredentials,
        YouTubeCredentialsError,
        YouTubeError,
    )
    from crawlers.youtube.collect import YouTubeCollector, newest_items
    from crawlers.youtube.quota import COSTS, QuotaLedger, pacific_day
    from crawlers.youtube.settings import YouTubeSource

__getattr__ = lazy_exports(
    {
        "COSTS": "crawlers.youtube.quota",
        "QuotaLedger": "crawlers.youtube.quota",
        "YouTubeCollector": "crawlers.youtube.collect",
        "YouTubeCredentials": "crawlers.youtube.client",
        "YouTubeCredentialsError": "crawlers.youtube.client",
        "YouTubeError": "crawlers.youtube.client",
        "YouTubeSource": "crawlers.youtube.settings",
        "newest_items": "crawlers.youtube.collect",
        "pacific_day": "crawlers.youtube.quota",
    }
)

__all__ = [
    "COSTS",
    "QuotaLedger",
    "YouTubeCollector",
    "YouTubeCredentials",
    "YouTubeCredentialsError",
    "YouTubeError",
    "YouTubeSource",
    "newest_items",
    "pacific_day",
]
