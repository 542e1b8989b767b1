"""The TikTok collector (API for Business): comments on the brand's own videos."""

from crawlers.tiktok.collect import TikTokCollector, TikTokParams, newest_items
from crawlers.tiktok.settings import TikTokSettings

__all__ = ["TikTokCollector", "TikTokParams", "TikTokSettings", "newest_items"]
