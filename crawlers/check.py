"""What a source would extract, without storing anything: ``earful source check``.

A crawl in check mode (``CrawlJob.check``, ``crawlers.crawl_job``) runs the source's spider as usual,
but its items go through ``CheckPipeline`` instead of matching and storing:
every item is kept, with the brands it matches and the fields that came out
empty (and the selector that found nothing). ``check_page`` does the same for
a page saved to a file, in this process (no fetch, so no reactor).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.statscollectors import MemoryStatsCollector, StatsCollector
from w3lib.encoding import html_body_declared_encoding

from crawlers.attribution import Attributor
from crawlers.encoding import decode_body
from crawlers.errors import WARNING_STAT
from crawlers.health import empty_reason
from crawlers.items import MentionItem
from crawlers.match import BrandRule, Matcher
from crawlers.pipelines import NormalizePipeline, brand_rules, detect_item_language

CHECKED_STAT = "earful/checked"
MAX_CHECKED = 200


def item_report(item: MentionItem, matcher: Matcher) -> dict[str, Any]:
    """``item`` as JSON-able fields, with its brand matches and its empty fields."""
    detect_item_language(item)
    matches = Attributor(matcher).brands(item)
    raw = item.raw or {}
    return {
        "author": item.author,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "published_precision": item.published_precision,
        "rating": item.rating,
        "rating_best": item.rating_best,
        "url": item.url,
        "parent": item.parent_id,
        "language": item.language,
        "title": item.title,
        "text": item.text,
        "external_id": item.external_id,
        "extractor": raw.get("extractor") or raw.get("recipe"),
        "matches": [
            {"brand": m.brand, "terms": list(m.terms), "competitor": m.competitor}
            for m in matches
        ],
        "missing": dict(item.missing),
        "alternatives": dict(raw.get("alternatives") or {}),
    }


class CheckPipeline:
    """Keep a report of every item (matching or not) in the crawl's stats."""

    def __init__(self, matcher: Matcher, stats: StatsCollector) -> None:
        self.matcher = matcher
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """The matcher from ``EARFUL_BRANDS`` (none set: no brand matches)."""
        raw = crawler.settings.getlist("EARFUL_BRANDS", [])
        assert crawler.stats is not None  # noqa: S101 - a running crawl has stats
        return cls(Matcher(brand_rules(raw)), crawler.stats)

    def process_item(self, item: MentionItem) -> MentionItem:
        """Report ``item`` and pass it on."""
        reports: list[dict[str, Any]] = self.stats.get_value(CHECKED_STAT) or []
        if len(reports) < MAX_CHECKED:
            self.stats.set_value(
                CHECKED_STAT, [*reports, item_report(item, self.matcher)]
            )
        return item


def _spider_class(name: str) -> type[Spider]:
    settings = Settings()
    settings.setmodule("crawlers.settings")
    spider_cls: type[Spider] = SpiderLoader.from_settings(settings).load(name)
    return spider_cls


def check_page(
    spider: str,
    params: dict[str, Any],
    path: Path,
    brands: Sequence[BrandRule],
) -> dict[str, Any]:
    """What ``spider`` extracts from the page saved at ``path`` (as at ``params['url']``)."""
    spider_cls = _spider_class(spider)
    crawler = Crawler(spider_cls, Settings({"EARFUL_SOURCE": "check"}))
    crawler.stats = MemoryStatsCollector(crawler)
    instance = spider_cls.from_crawler(crawler, **params)
    body = path.read_bytes()
    charset = decode_body(body, (html_body_declared_encoding(body),)).encoding
    response = HtmlResponse(url=params["url"], body=body, encoding=charset)
    extract = getattr(instance, "items", None) or instance.parse
    found: Iterable[Any] = extract(response)
    items = [
        NormalizePipeline().process_item(i) for i in found if isinstance(i, MentionItem)
    ]
    matcher = Matcher(tuple(brands))
    reports = [item_report(item, matcher) for item in items[:MAX_CHECKED]]
    warnings = list(crawler.stats.get_value(WARNING_STAT) or [])
    if not items:
        reason = empty_reason(instance, response) or "nothing new in it"
        warnings.insert(0, reason)
    return {
        "error": None,
        "warning": "\n".join(warnings) or None,
        "pages": 1,
        "extracted": len(items),
        "matched": sum(bool(r["matches"]) for r in reports),
        "items": reports,
    }


def sampled(
    items: Iterable[MentionItem],
    brands: Sequence[BrandRule],
    warning: str | None = None,
) -> dict[str, Any]:
    """A collector's sample of ``items`` as ``earful source check`` prints it."""
    matcher = Matcher(tuple(brands))
    normalise = NormalizePipeline()
    reports = [item_report(normalise.process_item(i), matcher) for i in items]
    return {
        "error": None,
        "warning": warning,
        "extracted": len(reports),
        "items": reports,
    }
