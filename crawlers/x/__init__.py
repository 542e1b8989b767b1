"""The X (API v2) collector: recent search per brand, with reach and edits."""

from crawlers.x.client import (
    XClient,
    XCredentials,
    XCredentialsError,
    XError,
)
from crawlers.x.collect import XCollector, XParams, newest_items
from crawlers.x.query import XQueryError, x_queries

__all__ = [
    "XClient",
    "XCollector",
    "XCredentials",
    "XCredentialsError",
    "XError",
    "XParams",
    "XQueryError",
    "newest_items",
    "x_queries",
]
