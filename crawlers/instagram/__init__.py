"""The Instagram collector (Graph API): comments on the brand's media, tags, hashtags."""

from crawlers.instagram.collect import InstagramCollector, InstagramParams, newest_items
from crawlers.instagram.hashtags import HashtagLedger
from crawlers.instagram.settings import InstagramSettings

__all__ = [
    "HashtagLedger",
    "InstagramCollector",
    "InstagramParams",
    "InstagramSettings",
    "newest_items",
]
