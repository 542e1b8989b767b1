"""HackerNewsSpider: stories and comments through the Algolia HN Search API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.errors import record_error, record_fetch_failure
from crawlers.items import MentionItem
from crawlers.params import HackerNewsParams
from crawlers.text import canonical_url, html_to_text, one_line

ITEM_URL = "https://news.ycombinator.com/item?id={}"


def hit_item(hit: dict[str, Any], source: str) -> MentionItem | None:
    """A mention from one search hit; ``None`` for a hit without an id."""
    ident = str(hit.get("objectID") or "").strip()
    if not ident:
        return None
    text_html = hit.get("comment_text") or hit.get("story_text") or ""
    title = hit.get("title") or hit.get("story_title")
    link = hit.get("url") or hit.get("story_url")
    created = hit.get("created_at_i")
    parent = hit.get("parent_id")
    story = hit.get("story_id")
    is_comment = hit.get("comment_text") is not None
    return MentionItem(
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
        published_at=datetime.fromtimestamp(created, UTC) if created else None,
        raw={"link": canonical_url(link) if link else None, "tags": hit.get("_tags")},
    )


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
            reply = json.loads(response.body)
            hits = list(reply["hits"])
        except (ValueError, KeyError, TypeError) as exc:
            record_error(
                self.crawler, f"not an Algolia answer at {response.url}: {exc}"
            )
            return
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        tag = str(kwargs.get("tag"))
        after = self._after(tag)
        newest: dict[str, int] = self.next_cursor["created_at_i"]
        for hit in hits:
            created = int(hit.get("created_at_i") or 0)
            if created <= after:
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
