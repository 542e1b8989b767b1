"""The Threads collector (Threads API): replies, mentions and keyword search."""

from crawlers.threads.collect import ThreadsCollector, ThreadsParams, newest_items
from crawlers.threads.settings import ThreadsSettings
from crawlers.threads.things import SearchLedger

__all__ = [
    "SearchLedger",
    "ThreadsCollector",
    "ThreadsParams",
    "ThreadsSettings",
    "newest_items",
]
