"""HatenaSpider: Hatena Bookmark (はてなブックマーク) comments, and articles found by search.

Two public endpoints, both on ``api_url``:

- The bookmark entry API, ``/entry/jsonlite/?url=URL``, answers one article:
  ``{"eid": "4712345678", "title": ..., "count": 123, "entry_url": ...,
  "bookmarks": [{"user": "id", "comment": "…", "tags": [...], "timestamp":
  "2024/05/01 21:00"}]}``, newest first, or ``null`` for an article nobody has
  bookmarked. Timestamps are Japan time. Each non-empty comment is a mention,
  linked to its bookmark page ``/USER/YYYYMMDD#bookmark-EID``; the article's
  bookmark count is its reach (``score``).
- The search RSS, ``/search/text?q=WORDS&mode=rss``, an RSS 1.0 list of articles
  with a ``hatena:bookmarkcount`` each: each article is a mention too, and its
  comments are read from the entry API.

The cursor keeps, per article, the newest comment time read; older comments are
not yielded again (comments are stored once however often they are seen).
"""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

import feedparser
from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.bounds import sane_date
from crawlers.dat import JST
from crawlers.errors import record_error, record_fetch_failure
from crawlers.items import MentionItem
from crawlers.params import HatenaParams
from crawlers.text import canonical_url, html_to_text, normalize_whitespace, one_line

MAX_ARTICLES_IN_CURSOR = 500
_STAMP = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?")


def bookmark_time(stamp: str) -> datetime | None:
    """``2024/05/01 21:00`` (Japan time) as an aware UTC datetime."""
    found = _STAMP.match(stamp.strip())
    if not found:
        return None
    year, month, day, hour, minute, second = (int(p or 0) for p in found.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=JST).astimezone(
            UTC
        )
    except ValueError:
        return None


class HatenaSpider(Spider):
    """Yield the searched articles and the new bookmark comments on every article.

    Arguments (see ``HatenaParams``): ``urls``, ``query``, ``about``,
    ``max_articles``, ``api_url``. Cursor: ``{"articles": {url: newest ISO}}``.
    """

    name = "hatena"
    source_type = "hatena"
    params_model = HatenaParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = HatenaParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None
        self.api = self.params.api_url.rstrip("/")

    @property
    def source(self) -> str:
        """The config's source name, else one made from the query or first URL."""
        default = f"hatena:{self.params.query or self.params.urls[0]}"
        return str(self.settings.get("EARFUL_SOURCE") or default)

    async def start(self) -> AsyncIterator[Request]:
        """The configured articles' comments, and the search."""
        self.next_cursor = {"articles": dict(self.cursor.get("articles") or {})}
        for url in self.params.urls:
            yield self._entry_request(url, self.params.about)
        if self.params.query:
            query = urlencode({"q": self.params.query, "mode": "rss", "sort": "recent"})
            yield Request(
                f"{self.api}/search/text?{query}",
                callback=self.parse,
                errback=self.failed,
            )

    def _entry_request(self, url: str, about: str | None) -> Request:
        return Request(
            f"{self.api}/entry/jsonlite/?url={quote(url, safe='')}",
            callback=self.parse_entry,
            errback=self.failed,
            cb_kwargs={"article": url, "about": about},
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Each searched article as a mention, then a request for its comments."""
        parsed = feedparser.parse(response.body)
        if not parsed.get("version"):
            problem = parsed.get("bozo_exception") or "no RSS root element"
            record_error(self.crawler, f"no search RSS at {response.url}: {problem}")
            return
        for entry in parsed.entries[: self.params.max_articles]:
            link = entry.get("link")
            if not link:
                continue
            title = one_line(entry.get("title", "")) or None
            count = entry.get("hatena_bookmarkcount")
            published = entry.get("updated_parsed") or entry.get("published_parsed")
            yield MentionItem(
                source=self.source,
                source_type=self.source_type,
                external_id=f"article:{canonical_url(link)}",
                url=canonical_url(link),
                title=title,
                text=html_to_text(entry.get("summary", "")),
                site_name="はてなブックマーク",
                thread_id=f"article:{canonical_url(link)}",
                top_level=True,
                score=int(count) if str(count or "").isdigit() else None,
                published_at=(
                    datetime.fromtimestamp(calendar.timegm(published), UTC)
                    if published
                    else None
                ),
                raw={"tags": [t.get("term") for t in entry.get("tags", [])]},
            )
            yield self._entry_request(link, title)

    def empty_reason(self, response: Response) -> None:
        """None: an article without new bookmark comments is a quiet day."""

    def parse_entry(
        self, response: Response, article: str, about: str | None
    ) -> Iterator[MentionItem]:
        """The article's new non-empty bookmark comments."""
        try:
            entry = json.loads(response.body)
        except ValueError as exc:
            record_error(self.crawler, f"not a bookmark entry at {response.url}: {exc}")
            return
        if entry is None:
            return  # nobody has bookmarked the article
        if not isinstance(entry, dict) or not isinstance(entry.get("bookmarks"), list):
            record_error(self.crawler, f"not a bookmark entry at {response.url}")
            return
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        key = canonical_url(article)
        seen = (self.cursor.get("articles") or {}).get(key)
        newest = datetime.fromisoformat(seen) if seen else None
        latest = newest
        for bookmark in entry["bookmarks"]:
            item = self._comment(entry, bookmark, key, about)
            if item is None:
                continue
            # A date that cannot be (2999) is dropped by NormalizePipeline with a
            # warning; as the article's newest it would hide every later comment.
            when, _ = sane_date(item.published_at)
            if newest and when and when < newest:
                continue
            if when and (latest is None or when > latest):
                latest = when
            yield item
        articles: dict[str, str] = self.next_cursor["articles"]
        if latest is not None:
            articles.pop(key, None)
            articles[key] = latest.isoformat()
        while len(articles) > MAX_ARTICLES_IN_CURSOR:
            articles.pop(next(iter(articles)))

    def _comment(
        self,
        entry: dict[str, Any],
        bookmark: Any,
        article: str,
        about: str | None,
    ) -> MentionItem | None:
        if not isinstance(bookmark, dict):
            return None
        comment = normalize_whitespace(str(bookmark.get("comment") or ""))
        user = str(bookmark.get("user") or "").strip()
        eid = str(entry.get("eid") or "").strip()
        if not comment or not user or not eid:
            return None
        published = bookmark_time(str(bookmark.get("timestamp") or ""))
        day = published.astimezone(JST).strftime("%Y%m%d") if published else ""
        count = entry.get("count")
        title = one_line(str(entry.get("title") or "")) or None
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=f"{eid}/{user}",
            url=f"{self.api}/{quote(user)}/{day}#bookmark-{eid}",
            title=title,
            text=comment,
            author=user,
            site_name="はてなブックマーク",
            thread_id=f"article:{article}",
            parent_id=f"article:{article}",
            top_level=False,
            score=count if isinstance(count, int) else None,
            published_at=published,
            raw={
                "article": article,
                "tags": [str(t) for t in bookmark.get("tags") or []],
            },
            about=about or title,
        )

    def failed(self, failure: Failure) -> None:
        """Record why a search or an entry could not be fetched (403, 429, …)."""
        record_fetch_failure(self.crawler, failure, self.api)
