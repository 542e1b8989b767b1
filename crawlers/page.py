"""PageSpider: the shared base of HTML spiders (reviews, forum): pages, cursor, failures.

A crawl starts at the source's URL and follows the next-page link (``rel=next``
or the configured selector) up to ``max_pages``, never to another host (a
warning says so). Each page is fetched with a conditional GET from the
validators stored in the source's cursor; a 304 ends the crawl there. The cursor also keeps the newest item date seen: a page whose
items are all older than that is the last one followed, so after the first run
only the first pages are read, and edits on them still update the stored text.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawlers.bounds import sane_date
from crawlers.encoding import decode_body
from crawlers.errors import record_error, record_fetch_failure, record_warning
from crawlers.items import MentionItem
from crawlers.params import PageParams
from crawlers.recipes import select
from crawlers.text import canonical_url, one_line

MAX_PAGES_IN_CURSOR = 200
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SCALE_FIRST = re.compile(r"(\d+)\s*つ星(?:のうち|中)\s*(\d+(?:[.,]\d+)?)")
_OUT_OF = re.compile(r"(?:out of|of|von|/|sur|de)\s*(\d+(?:[.,]\d+)?)", re.IGNORECASE)


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def page_title(response: TextResponse) -> str | None:
    """The page's ``<title>`` on one line, or ``None``: the thread its items belong to."""
    return one_line(response.css("title::text").get() or "") or None


def site_name(response: TextResponse) -> str | None:
    """The page's ``og:site_name``, else its host."""
    name = response.css('meta[property="og:site_name"]::attr(content)').get()
    return one_line(name) if name else response.url.split("/")[2]


def rating(text: str | None, best: float) -> tuple[float | None, float | None]:
    """``"4.0 out of 5 stars"`` → (4.0, 5.0): the rating and the best of its scale.

    Japanese puts the scale first: ``"5つ星のうち4.0"`` is 4.0 of 5.
    """
    if not text or not (number := _NUMBER.search(text)):
        return None, None
    value = float(number[0].replace(",", "."))
    if scale_first := _SCALE_FIRST.search(text):
        best, value = (float(g.replace(",", ".")) for g in scale_first.groups())
    elif out_of := _OUT_OF.search(text[number.end() :]):
        best = float(out_of[1].replace(",", "."))
    return value, best


class PageSpider(Spider):
    """Base for spiders that read items out of HTML pages; subclasses define ``items``."""

    params_model: ClassVar[type[PageParams]] = PageParams
    source_type: ClassVar[str] = "page"
    handle_httpstatus_list = [304]  # noqa: RUF012 - Scrapy reads this class attribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = self.params_model.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None
        self.crawl_time = datetime.now(UTC)
        self.host = urlsplit(self.params.url).hostname

    @property
    def source(self) -> str:
        """The config's source name (``EARFUL_SOURCE``), else one made from the URL."""
        return str(
            self.settings.get("EARFUL_SOURCE") or f"{self.name}:{self.params.url}"
        )

    def _newest(self) -> datetime | None:
        newest = self.cursor.get("newest")
        return datetime.fromisoformat(newest) if newest else None

    async def start(self) -> AsyncIterator[Request]:
        """A conditional GET of the first page."""
        self.next_cursor = {
            "pages": dict(self.cursor.get("pages") or {}),
            "newest": self.cursor.get("newest"),
        }
        yield self._request(self.params.url, 1)

    def _request(self, url: str, page: int) -> Request:
        headers: dict[str, str] = {}
        stored = (self.cursor.get("pages") or {}).get(url) or {}
        if etag := stored.get("etag"):
            headers["If-None-Match"] = etag
        if modified := stored.get("last_modified"):
            headers["If-Modified-Since"] = modified
        return Request(
            url,
            headers=headers,
            callback=self.parse,
            errback=self.failed,
            cb_kwargs={"page": page},
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Yield the page's items, then the next page if it may hold new ones."""
        if response.status == 304:  # noqa: PLR2004 - Not Modified
            self.logger.info("%s not modified since the last crawl", response.url)
            return
        if not isinstance(response, TextResponse):
            record_error(self.crawler, f"not an HTML page at {response.url}")
            return
        self._remember(response)
        response = self._decoded(response)
        try:
            items = list(self.items(response))
        except Exception as exc:  # noqa: BLE001 - a broken page stays local to it
            record_error(self.crawler, f"cannot parse {response.url}: {exc!r}")
            return
        yield from items
        next_url = self.next_page(response)
        if next_url and urlsplit(next_url).hostname != self.host:
            record_warning(
                self.crawler,
                f"next page {next_url} of {response.url} is on another site; "
                "not followed",
            )
            next_url = None
        page = int(kwargs.get("page", 1))
        if next_url and page < self.params.max_pages and self._worth_going_on(items):
            yield self._request(next_url, page + 1)

    def _decoded(self, response: TextResponse) -> TextResponse:
        """``response`` read with the charset its bytes fit (``crawlers.encoding``).

        Scrapy trusts the declared charset, and guesses only UTF-8 or
        windows-1252 for an undeclared one.
        """
        declared = (
            http_content_type_encoding(_header(response, "Content-Type")),
            html_body_declared_encoding(response.body),
        )
        decoded = decode_body(response.body, declared)
        if decoded.problem:
            record_warning(self.crawler, f"page {response.url}: {decoded.problem}")
        if decoded.encoding == response.encoding:
            return response
        return response.replace(encoding=decoded.encoding)

    def _remember(self, response: Response) -> None:
        """Store the page's validators in the next cursor."""
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        pages: dict[str, Any] = self.next_cursor["pages"]
        pages[response.request.url if response.request else response.url] = {
            "etag": _header(response, "ETag"),
            "last_modified": _header(response, "Last-Modified"),
        }
        while len(pages) > MAX_PAGES_IN_CURSOR:
            pages.pop(next(iter(pages)))

    def _worth_going_on(self, items: list[MentionItem]) -> bool:
        """Whether a page after this one may hold items newer than the last crawl's."""
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        # A date that cannot be (2999) is dropped by NormalizePipeline with a
        # warning; as the newest it would stop every later crawl at page one.
        dates = [
            d
            for i in items
            if (d := sane_date(i.published_at, self.crawl_time)[0]) is not None
        ]
        if dates:
            newest = max(dates)
            stored = self.next_cursor.get("newest")
            if stored is None or newest > datetime.fromisoformat(stored):
                self.next_cursor["newest"] = newest.isoformat()
        previous = self._newest()
        return previous is None or not dates or max(dates) > previous

    def next_page(self, response: TextResponse) -> str | None:
        """The next page's URL: the configured selector's link, else ``rel=next``."""
        if self.params.next_page:
            found = select(response.selector, self.params.next_page)
            href = found.attrib.get("href") if found else None
            href = href or (found.get() if found else None)
        else:
            href = response.css(
                'link[rel~="next"]::attr(href), a[rel~="next"]::attr(href)'
            ).get()
        return canonical_url(response.urljoin(href.strip())) if href else None

    def items(self, response: TextResponse) -> Iterator[MentionItem]:
        """The page's mentions; each subclass reads them its own way."""
        raise NotImplementedError

    def failed(self, failure: Failure) -> None:
        """Record why a page could not be fetched; the other pages go on."""
        record_fetch_failure(self.crawler, failure, self.params.url)
