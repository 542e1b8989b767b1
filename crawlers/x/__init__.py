"""The X (API v2) collector: recent search per brand, with reach and edits.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.x.client import XClient, XCredentials, XCredentialsError, XError
    from crawlers.x.collect import XCollector, newest_items
    from crawlers.x.query import XQueryError, x_queries
    from crawlers.x.settings import XSource

__getattr__ = lazy_exports(
    {
        "XClient": "crawlers.x.client",
        "XCollector": "crawlers.x.collect",
        "XCredentials": "crawlers.x.client",
        "XCredentialsError": "crawlers.x.client",
        "XError": "crawlers.x.client",
        "XQueryError": "crawlers.x.query",
        "XSource": "crawlers.x.settings",
        "newest_items": "crawlers.x.collect",
        "x_queries": "crawlers.x.query",
    }
)

__all__ = [
    "XClient",
    "XCollector",
    "XCredentials",
    "XCredentialsError",
    "XError",
    "XQueryError",
    "XSource",
    "newest_items",
    "x_queries",
]
