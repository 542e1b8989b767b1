"""The Threads collector (Threads API): replies, mentions and keyword search.

Exports load on first use, so reading the settings (``settings``) imports no client.
"""

from typing import TYPE_CHECKING

from crawlers.registry import lazy_exports

if TYPE_CHECKING:
    from crawlers.threads.collect import ThreadsCollector, ThreadsParams, newest_items
    from crawlers.threads.settings import ThreadsSource
    from crawlers.threads.things import SearchLedger

__getattr__ = lazy_exports(
    {
        "SearchLedger": "crawlers.threads.things",
        "ThreadsCollector": "crawlers.threads.collect",
        "ThreadsParams": "crawlers.threads.collect",
        "ThreadsSource": "crawlers.threads.settings",
        "newest_items": "crawlers.threads.collect",
    }
)

__all__ = [
    "SearchLedger",
    "ThreadsCollector",
    "ThreadsParams",
    "ThreadsSource",
    "newest_items",
]
