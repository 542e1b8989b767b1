"""The collectors against the facts in ``manifest.toml``, for every real page and feed.

Each page runs through the collector that reads it in Earful (a recipe, the
schema.org reader with its generic fallback, the comments reader), in this
process and without a fetch (``crawlers.check.check_page``), and every fact the
manifest holds is compared: the count, and for the items it lists the author,
the date, the permalink and the parent. A page where Earful is still wrong
carries its reason as ``known_failure`` and is a strict xfail, so the layer
passes and shows the gaps; a fix turns it into an XPASS, which fails until the
manifest loses its ``known_failure``.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from crawlers.check import check_page
from crawlers.items import MentionItem
from crawlers.spiders.feed import FeedSpider
from tests.conftest import SHARED_FIXTURES

MANIFEST = tomllib.loads(
    (Path(__file__).parent / "manifest.toml").read_text(encoding="utf-8")
)
pytestmark = pytest.mark.realdata


def _param(entry: dict[str, Any]) -> Any:
    marks = []
    if reason := entry.get("known_failure"):
        marks.append(pytest.mark.xfail(reason=reason, strict=True))
    return pytest.param(entry, id=Path(entry["file"]).stem, marks=marks)


def same_time(stored: str | None, fact: str) -> bool:
    """Whether ``stored`` (ISO, UTC) is the manifest's ``fact``.

    A fact with an offset is an instant; one without is the wall clock the page
    shows, which Earful reads as UTC.
    """
    if stored is None:
        return False
    when = datetime.fromisoformat(stored).astimezone(UTC)
    expected = datetime.fromisoformat(fact)
    if expected.tzinfo is None:
        return when.replace(tzinfo=None) == expected
    return when == expected


def extracted(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """What Earful's collector for the page reads from it: ``check_page`` reports."""
    spider, _, recipe = entry["collector"].partition(":")
    params = {"url": entry["url"], **({"recipe": recipe} if recipe else {})}
    result = check_page(spider, params, SHARED_FIXTURES / entry["file"], [])
    return list(result["items"])


def unmatched(facts: list[dict[str, Any]], items: list[dict[str, Any]]) -> list[Any]:
    """The manifest's items that no extracted item matches in every field given."""
    missing = []
    for fact in facts:
        if not any(_matches(fact, item) for item in items):
            found = [i for i in items if i.get("author") == fact.get("author")]
            missing.append((fact, [_shown(i) for i in found[:3]]))
    return missing


def _matches(fact: dict[str, Any], item: dict[str, Any]) -> bool:
    checks = {
        "author": lambda v: item.get("author") == v,
        "date": lambda v: same_time(item.get("published_at"), v),
        "permalink": lambda v: item.get("url") == v,
        "parent": lambda v: item.get("parent") == v,
    }
    return all(checks[name](value) for name, value in fact.items())


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("author", "published_at", "url", "parent")
    return {key: item.get(key) for key in keys}


@pytest.mark.parametrize("entry", [_param(p) for p in MANIFEST["page"]])
def test_real_page(entry):
    items = extracted(entry)
    assert len(items) == entry["count"], [_shown(i) for i in items]
    assert unmatched(entry.get("item", []), items) == []


def feed_items(entry: dict[str, Any]) -> list[MentionItem]:
    """What the feed spider reads from the feed file, served as a feed would be."""
    url = "https://feeds.example/" + Path(entry["file"]).name
    crawler = Crawler(FeedSpider, Settings({"EARFUL_SOURCE": "realdata"}))
    crawler.stats = MemoryStatsCollector(crawler)
    spider = FeedSpider.from_crawler(crawler, url=url)
    content_type = entry.get("content_type", "application/xml")
    response = Response(
        url=url,
        body=(SHARED_FIXTURES / entry["file"]).read_bytes(),
        headers={"Content-Type": content_type},
    )
    return [i for i in spider.parse(response) if isinstance(i, MentionItem)]


@pytest.mark.parametrize("entry", [_param(f) for f in MANIFEST["feed"]])
def test_real_feed(entry):
    items = feed_items(entry)
    assert len(items) == entry["count"]
    reports = [
        {
            "author": i.author,
            "published_at": i.published_at.isoformat() if i.published_at else None,
            "url": i.url,
        }
        for i in items
    ]
    for fact in entry.get("item", []):  # facts about the feed's first entry
        assert _matches(fact, reports[0]), (fact, reports[0])
