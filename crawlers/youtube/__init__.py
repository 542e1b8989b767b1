"""The YouTube comments collector: channel and video threads, brand searches, quota."""

from crawlers.youtube.client import (
    YouTubeCredentials,
    YouTubeCredentialsError,
    YouTubeError,
)
from crawlers.youtube.collect import YouTubeCollector, YouTubeParams, newest_items
from crawlers.youtube.quota import COSTS, QuotaLedger, pacific_day

__all__ = [
    "COSTS",
    "QuotaLedger",
    "YouTubeCollector",
    "YouTubeCredentials",
    "YouTubeCredentialsError",
    "YouTubeError",
    "YouTubeParams",
    "newest_items",
    "pacific_day",
]
