"""FeedSpider: RSS 0.9x/1.0/2.0, Atom and JSON Feed, fetched with a conditional GET."""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.errors import (
    JsonFeedError,
    record_error,
    record_fetch_failure,
    record_warning,
)
from crawlers.items import MentionItem
from crawlers.jsonfeed import JsonFeedItem, describe, is_json, parse_json_feed
from crawlers.params import FeedParams
from crawlers.text import canonical_url, html_to_text, normalize_whitespace, one_line

MAX_EXTERNAL_ID = 512
MAX_LANGUAGE = 16
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def _utc(parsed: Any) -> datetime | None:
    """A feedparser ``*_parsed`` time tuple (always UTC) as an aware datetime."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _detail_text(value: str, detail: Any) -> str:
    """Plain text of a feedparser text construct, decoding HTML when it is HTML."""
    kind = (detail or {}).get("type", "text/html")
    return html_to_text(value) if kind in HTML_TYPES else normalize_whitespace(value)


def _entry_text(entry: Any) -> str:
    """The entry's full content when it has one, else its summary, as plain text."""
    for content in entry.get("content") or ():
        if content.get("value"):
            return _detail_text(content["value"], content)
    return _detail_text(entry.get("summary", ""), entry.get("summary_detail"))


def _external_id(entry: Any, title: str | None, text: str) -> str:
    """A stable id: the entry's id, else its link, else a digest of what it says."""
    ident = str(entry.get("id") or entry.get("link") or "").strip()
    if not ident:
        ident = "sha256:" + hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()
    if len(ident) > MAX_EXTERNAL_ID:
        ident = "sha256:" + hashlib.sha256(ident.encode()).hexdigest()
    return ident


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class FeedSpider(Spider):
    """Fetch one feed and yield one ``MentionItem`` per entry (up to ``max_items``).

    RSS and Atom are read by feedparser; a JSON body (by Content-Type, or one
    that opens with ``{``) by ``crawlers.jsonfeed``.

    Arguments (see ``FeedParams``): ``url``, ``max_items``. ``cursor`` holds the
    source's stored ETag/Last-Modified (``StorePipeline`` loads it before the
    first request); the spider sends them back, and sets ``next_cursor`` from the
    response for the pipeline to store. A 304 yields nothing and is a success.
    """

    name = "feed"
    source_type = "feed"
    params_model = FeedParams
    handle_httpstatus_list = [304]  # noqa: RUF012 - Scrapy reads this class attribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = FeedParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None
        self.crawl_time = datetime.now(UTC)

    @property
    def source(self) -> str:
        """The config's source name (``EARFUL_SOURCE``), else one made from the URL."""
        return str(self.settings.get("EARFUL_SOURCE") or f"feed:{self.params.url}")

    async def start(self) -> AsyncIterator[Request]:
        """One conditional GET of the feed."""
        headers: dict[str, str] = {}
        if self.cursor.get("url") == self.params.url:
            if etag := self.cursor.get("etag"):
                headers["If-None-Match"] = etag
            if modified := self.cursor.get("last_modified"):
                headers["If-Modified-Since"] = modified
        yield Request(
            self.params.url,
            headers=headers,
            callback=self.parse,
            errback=self.failed,
            dont_filter=True,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[MentionItem]:
        """Parse the feed as far as it goes and yield its entries."""
        if response.status == 304:  # noqa: PLR2004 - Not Modified
            self.logger.info("%s not modified since the last crawl", response.url)
            return
        self.next_cursor = {
            "url": self.params.url,
            "etag": _header(response, "ETag"),
            "last_modified": _header(response, "Last-Modified"),
        }
        content_type = _header(response, "Content-Type")
        if is_json(content_type, response.body):
            yield from self._json_feed(response, content_type)
            return
        headers = {"content-location": response.url}
        if content_type:
            headers["content-type"] = content_type
        parsed = feedparser.parse(response.body, response_headers=headers)
        self._check(parsed, response.url)
        site_name = one_line(parsed.feed.get("title", "")) or None
        language = parsed.feed.get("language")
        for entry in parsed.entries[: self.params.max_items]:
            yield self._item(entry, response.url, site_name, language, parsed.version)

    def _json_feed(
        self, response: Response, content_type: str | None
    ) -> Iterator[MentionItem]:
        """Read a JSON Feed, keeping every item that parses and recording the rest."""
        url = response.url
        try:
            parsed = parse_json_feed(response.body, self.crawl_time)
        except JsonFeedError as exc:
            kind = content_type or "no Content-Type"
            record_error(self.crawler, f"no feed at {url} ({kind}): {exc}")
            return
        if parsed.problems:
            record_error(
                self.crawler,
                f"malformed JSON Feed at {url}: {describe(parsed.problems)} "
                f"({len(parsed.items)} items read)",
            )
        if parsed.warnings:
            record_warning(
                self.crawler, f"JSON Feed at {url}: {describe(parsed.warnings)}"
            )
        for entry in parsed.items[: self.params.max_items]:
            yield self._json_item(entry, url, parsed.title, parsed.version)

    def _json_item(
        self, entry: JsonFeedItem, feed_url: str, site_name: str | None, version: str
    ) -> MentionItem:
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=_external_id({"id": entry.id}, entry.title, entry.text),
            url=entry.url or entry.external_url,
            title=entry.title,
            text=entry.text,
            author=", ".join(entry.authors) or None,
            site_name=site_name,
            language=entry.language[:MAX_LANGUAGE] if entry.language else None,
            published_at=entry.published or entry.modified,
            raw={
                "feed_url": feed_url,
                "feed_format": "json" + version.rsplit("/", 1)[-1].replace(".", ""),
                "external_url": entry.external_url,
                "modified": entry.modified.isoformat() if entry.modified else None,
                "tags": list(entry.tags),
            },
        )

    def _check(self, parsed: Any, url: str) -> None:
        """Record a malformed feed against the source; harmless quirks are warnings."""
        if not parsed.get("version") and not parsed.entries:
            kind = parsed.get("headers", {}).get("content-type", "no Content-Type")
            problem = parsed.get("bozo_exception") or "no RSS or Atom root element"
            record_error(self.crawler, f"no feed at {url} ({kind}): {problem}")
            return
        if not parsed.get("bozo"):
            return
        problem = parsed.get("bozo_exception")
        message = f"malformed feed at {url}: {problem}"
        if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
            record_warning(self.crawler, message)
        else:
            message += f" ({len(parsed.entries)} entries read)"
            record_error(self.crawler, message)

    def _item(
        self,
        entry: Any,
        feed_url: str,
        site_name: str | None,
        language: str | None,
        version: str,
    ) -> MentionItem:
        title = entry.get("title")
        if title is not None:
            title = one_line(_detail_text(title, entry.get("title_detail")))
        text = _entry_text(entry)
        author = (
            entry.get("author_detail", {}).get("name")
            or entry.get("author")
            or entry.get("note_creatorname")  # note.com writes <note:creatorName>
        )
        published = entry.get("published_parsed") or entry.get("updated_parsed")
        link = entry.get("link")
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=_external_id(entry, title, text),
            url=canonical_url(link) if link else None,
            title=title or None,
            text=text,
            author=one_line(author) if author else None,
            site_name=site_name,
            language=language[:MAX_LANGUAGE] if language else None,
            published_at=_utc(published),
            raw={
                "feed_url": feed_url,
                "feed_format": version,
                "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
            },
        )

    def failed(self, failure: Failure) -> None:
        """Record why the feed could not be fetched."""
        record_fetch_failure(self.crawler, failure, self.params.url)
