"""The Facebook Pages collector (Graph API): comments under the Page's posts, ratings.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.facebook.collect import (
        FacebookCollector,
        FacebookParams,
        newest_items,
    )
    from crawlers.facebook.settings import FacebookSource

__getattr__ = lazy_exports(
    {
        "FacebookCollector": "crawlers.facebook.collect",
        "FacebookParams": "crawlers.facebook.collect",
        "FacebookSource": "crawlers.facebook.settings",
        "newest_items": "crawlers.facebook.collect",
    }
)

__all__ = ["FacebookCollector", "FacebookParams", "FacebookSource", "newest_items"]
