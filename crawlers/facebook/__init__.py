"""The Facebook Pages collector (Graph API): comments under the Page's posts, ratings."""

from crawlers.facebook.collect import FacebookCollector, FacebookParams, newest_items
from crawlers.facebook.settings import FacebookSettings

__all__ = ["FacebookCollector", "FacebookParams", "FacebookSettings", "newest_items"]
