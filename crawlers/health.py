"""Extraction health: count the pages a spider reads and the items it gets from each.

A recipe that no longer fits, or a page whose markup changed, does not fail:
it quietly yields nothing, which looks exactly like a day on which nobody named
the brand. This spider middleware counts every response that reaches a spider
(``earful/pages``; robots.txt, 304s and error pages do not) and every item the spider yields
(``earful/extracted``). For a page that yields no item it keeps the reason,
asked of the spider's ``empty_reason(response)`` where it has one ("the
xenforo recipe matched no post on https://…"), so that a crawl which extracted
nothing at all is reported as empty with that reason (``crawlers.crawl_child``).

Quiet is not broken: an entry the spider reads off a page but skips because an
earlier crawl collected it (an App Store review older than the cursor) is
extracted too; the spider says so with ``known_before(response)``. So a crawl is
empty only when pages were read and nothing at all could be extracted from
them, and three polls of an app with no new review are three quiet runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.errors import EMPTY_STAT, EXTRACTED_STAT, PAGES_STAT
from crawlers.items import MentionItem

OK_STATUSES = range(200, 300)  # not 304 (nothing new) nor an error page
KNOWN_META = "earful_known"  # entries of the response collected by an earlier crawl


def known_before(response: Response, count: int = 1) -> None:
    """Note ``count`` entries read off ``response`` but collected before: not empty."""
    response.meta[KNOWN_META] = int(response.meta.get(KNOWN_META, 0)) + count


def empty_reason(spider: Spider | None, response: Response) -> str | None:
    """Why ``response`` yielded nothing, in the spider's words if it has some.

    ``None`` when the spider says an empty answer is normal (a search with no
    new hits): such a response is not counted as a page.
    """
    explain = getattr(spider, "empty_reason", None)
    if callable(explain):
        reason = explain(response)
        return None if reason is None else str(reason)
    name = getattr(spider, "name", "the")
    return f"the {name} spider extracted nothing from {response.url}"


class ExtractionHealthMiddleware:
    """Count pages and extracted items; remember why the first empty page was empty."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """The middleware for ``crawler``."""
        return cls(crawler)

    def _count(self, response: Response, items: int) -> None:
        stats = self.crawler.stats
        if stats is None or response.status not in OK_STATUSES:
            return
        items += int(response.meta.get(KNOWN_META, 0))
        reason = None if items else empty_reason(self.crawler.spider, response)
        if not items and reason is None:
            return  # nothing new, by the spider's own account
        stats.inc_value(PAGES_STAT)
        stats.inc_value(EXTRACTED_STAT, items)
        if reason is not None and stats.get_value(EMPTY_STAT) is None:
            stats.set_value(EMPTY_STAT, reason)

    def process_spider_output(
        self, response: Response, result: Iterable[Any]
    ) -> Iterator[Any]:
        """Pass the spider's output on, counting its items."""
        items = 0
        for thing in result:
            items += isinstance(thing, MentionItem)
            yield thing
        self._count(response, items)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Pass the spider's output on, counting its items (async callbacks)."""
        items = 0
        async for thing in result:
            items += isinstance(thing, MentionItem)
            yield thing
        self._count(response, items)
