"""The TikTok collector (API for Business): comments on the brand's own videos.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.tiktok.collect import TikTokCollector, TikTokParams, newest_items
    from crawlers.tiktok.settings import TikTokSource

__getattr__ = lazy_exports(
    {
        "TikTokCollector": "crawlers.tiktok.collect",
        "TikTokParams": "crawlers.tiktok.collect",
        "TikTokSource": "crawlers.tiktok.settings",
        "newest_items": "crawlers.tiktok.collect",
    }
)

__all__ = ["TikTokCollector", "TikTokParams", "TikTokSource", "newest_items"]
