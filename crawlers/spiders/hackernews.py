"""HackerNewsSpider: stories and comments through the Algolia HN Search API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.bounds import AHEAD, EARLIEST, bounded_int, from_timestamp, loads_json
from crawlers.errors import BadItemError, record_error, record_fetch_failure
from crawlers.items import MentionItem
from crawlers.params import HackerNewsParams
from crawlers.text import canonical_url, html_to_text, one_line

ITEM_URL = "https://news.ycombinator.com/item?id={}"


def created_at(hit: dict[str, Any]) -> int:
    """The hit's ``created_at_i`` (Unix seconds), or 0 when absent or absurd."""
    latest = int(time.time() + AHEAD.total_seconds())
    value = bounded_int(hit.get("created_at_i"), int(EARLIEST.timestamp()), latest)
    return value or 0


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def hit_item(hit: dict[str, Any], source: str) -> MentionItem | None:
    """A mention from one search hit; ``None`` for a hit without an id.

    Every value is checked for its type: a hit is a stranger's post as Algolia
    indexed it, and one odd value must not cost the page its other hits.
    """
    ident = str(hit.get("objectID") or "").strip()
    if not ident:
        return None
    text_html = _string(hit.get("comment_text")) or _string(hit.get("story_text"))
    title = _string(hit.get("title")) or _string(hit.get("story_title"))
    link = _string(hit.get("url")) or _string(hit.get("story_url"))
    created = created_at(hit)
    parent = hit.get("parent_id")
    story = hit.get("story_id")
    is_comment = hit.get("comment_text") is not None
    item = MentionItem(
        source=source,
        source_type="hackernews",
        external_id=ident,
        url=ITEM_URL.format(ident),
        title=one_line(title) if title else None,
        text=html_to_text(text_html) if text_html else one_line(title or ""),
        author=hit.get("author"),
        site_name="Hacker News",
        thread_id=str(story) if story else ident,
        parent_id=str(parent) if parent else None,
        top_level=(parent == story) if is_comment and parent else None,
        score=hit.get("points"),
        comments=hit.get("num_comments"),
        published_at=from_timestamp(created) if created else None,
        raw={"link": canonical_url(link) if link else None, "tags": hit.get("_tags")},
    )
    if not created and hit.get("created_at_i") is not None:
        stamp = str(hit.get("created_at_i"))[:30]
        item.warnings.append(f"{ident}: created_at_i {stamp} is absurd; stored undated")
    return item


class HackerNewsSpider(Spider):
    """Search HN by date for ``query``, newest first, down to the last item seen.

    Arguments (see ``HackerNewsParams``). The cursor keeps the newest
    ``created_at_i`` seen per kind (story, comment); the next crawl asks only for items after it
    (``numericFilters=created_at_i>N``) and drops any older ones it is sent.
    """

    name = "hackernews"
    source_type = "hackernews"
    params_model = HackerNewsParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = HackerNewsParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None

    @property
    def source(self) -> str:
        """The config's source name, else one made from the query."""
        return str(self.settings.get("EARFUL_SOURCE") or f"hn:{self.params.query}")

    def _after(self, tag: str) -> int:
        return int((self.cursor.get("created_at_i") or {}).get(tag) or 0)

    def _request(self, tag: str, page: int) -> Request:
        query = {
            "query": self.params.query,
            "tags": tag,
            "hitsPerPage": self.params.hits_per_page,
            "page": page,
        }
        if after := self._after(tag):
            query["numericFilters"] = f"created_at_i>{after}"
        url = f"{self.params.api_url.rstrip('/')}/search_by_date?{urlencode(query)}"
        return Request(
            url,
            callback=self.parse,
            errback=self.failed,
            cb_kwargs={"tag": tag, "page": page},
        )

    async def start(self) -> AsyncIterator[Request]:
        """One search per kind of item, from the newest."""
        self.next_cursor = {
            "created_at_i": {tag: self._after(tag) for tag in self.params.tags}
        }
        for tag in self.params.tags:
            yield self._request(tag, 0)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Yield the hits newer than the cursor and ask for the next page."""
        try:
            reply = loads_json(response.body)
            hits = [hit for hit in reply["hits"] if isinstance(hit, dict)]
        except (BadItemError, KeyError, TypeError) as exc:
            record_error(
                self.crawler, f"not an Algolia answer at {response.url}: {exc}"
            )
            return
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        tag = str(kwargs.get("tag"))
        after = self._after(tag)
        newest: dict[str, int] = self.next_cursor["created_at_i"]
        for hit in hits:
            created = created_at(hit)  # 0: absurd, kept undated, cursor unmoved
            if created and created <= after:
                continue
            item = hit_item(hit, self.source)
            if item is not None:
                newest[tag] = max(created, newest.get(tag, 0))
                yield item
        page = int(kwargs.get("page", 0))
        more = page + 1 < int(reply.get("nbPages") or 0)
        if hits and more and page + 1 < self.params.max_pages:
            yield self._request(tag, page + 1)

    def empty_reason(self, response: Response) -> None:
        """None: a search page without new hits is a quiet day, not a broken page."""

    def failed(self, failure: Failure) -> None:
        """Record why a search could not be fetched."""
        record_fetch_failure(self.crawler, failure, self.params.api_url)
