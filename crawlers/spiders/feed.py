"""FeedSpider: RSS 0.9x/1.0/2.0, Atom and JSON Feed, fetched with a conditional GET."""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from crawlers.bounds import from_timestamp
from crawlers.encoding import as_utf8_xml, decode_body
from crawlers.errors import (
    SKIPPED_STAT,
    JsonFeedError,
    record_error,
    record_fetch_failure,
    record_warning,
)
from crawlers.items import MentionItem
from crawlers.jsonfeed import JsonFeedItem, describe, is_json, parse_json_feed
from crawlers.params import FeedParams
from crawlers.text import (
    canonical_url,
    html_to_text,
    normalize_whitespace,
    one_line,
    strip_boilerplate,
)

MAX_EXTERNAL_ID = 512
MAX_LANGUAGE = 16
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Entry start and end tags (RSS <item>, Atom <entry>, any namespace prefix).
_ENTRY_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s>/]")
_ENTRY_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")


def _utc(parsed: Any) -> datetime | None:
    """A feedparser ``*_parsed`` time tuple (always UTC) as an aware datetime."""
    if not parsed:
        return None
    return from_timestamp(calendar.timegm(parsed))  # None past year 9999


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


def _external_id(
    entry: Any,
    title: str | None,
    text: str,
    author: str | None = None,
    published: datetime | None = None,
) -> str:
    """A stable id: the entry's id, else its link, else a digest of the entry.

    The digest covers the title and text, and the author and date when the
    entry has them: two reviewers' identical "Terrible support" are two
    mentions. (Without author and date it is the digest of earlier versions.)
    """
    ident = str(entry.get("id") or entry.get("link") or "").strip()
    if not ident:
        said = f"{title}\x00{text}"
        if author or published:
            when = published.isoformat() if published else ""
            said += f"\x00{author or ''}\x00{when}"
        ident = "sha256:" + hashlib.sha256(said.encode()).hexdigest()
    if len(ident) > MAX_EXTERNAL_ID:
        ident = "sha256:" + hashlib.sha256(ident.encode()).hexdigest()
    return ident


def _recovered(document: str, entries: int) -> bool:
    """Whether a malformed feed lost nothing: every entry in it was closed and read."""
    started = len(_ENTRY_START.findall(document))
    return started == entries == len(_ENTRY_END.findall(document))


def _author(entry: Any, feed: Any, version: str) -> str | None:
    """The entry's author; an Atom entry without one has its feed's (RFC 4287 4.2.1)."""
    author = (
        entry.get("author_detail", {}).get("name")
        or entry.get("author")
        or entry.get("note_creatorname")  # note.com writes <note:creatorName>
    )
    if author or not version.startswith("atom"):
        return str(author) if author else None
    for owner in (entry.get("source") or {}, feed):
        inherited = owner.get("author_detail", {}).get("name") or owner.get("author")
        if inherited:
            return str(inherited)
    return None


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
        document = self._decode(response, content_type)
        headers = {"content-location": response.url}
        media_type = (content_type or "").split(";")[0].strip()
        if media_type:
            headers["content-type"] = f"{media_type}; charset=utf-8"
        parsed = feedparser.parse(as_utf8_xml(document), response_headers=headers)
        self._check(parsed, response.url, content_type, document)
        empty = 0
        for entry in parsed.entries[: self.params.max_items]:
            item = self._item(entry, parsed, response.url)
            if item is None:
                self.crawler.stats.inc_value(SKIPPED_STAT)
                empty += 1
                continue
            yield item
        if empty:
            record_warning(
                self.crawler,
                f"{response.url}: {empty} entr{'y' if empty == 1 else 'ies'} "
                "skipped: no title and no text",
            )

    def _decode(self, response: Response, content_type: str | None) -> str:
        """The feed as text: its declared charset if the bytes fit it, else detected."""
        body = response.body
        declared = (
            http_content_type_encoding(content_type),
            html_body_declared_encoding(body),
        )
        decoded = decode_body(body, declared)
        if decoded.problem:
            record_warning(self.crawler, f"feed at {response.url}: {decoded.problem}")
        return decoded.text

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

    def _check(
        self, parsed: Any, url: str, content_type: str | None, document: str
    ) -> None:
        """Record a malformed feed against the source; what lost nothing is a warning."""
        if not parsed.get("version") and not parsed.entries:
            kind = content_type or "no Content-Type"
            problem = parsed.get("bozo_exception") or "no RSS or Atom root element"
            record_error(self.crawler, f"no feed at {url} ({kind}): {problem}")
            return
        if not parsed.get("bozo"):
            return
        problem = parsed.get("bozo_exception")
        message = f"malformed feed at {url}: {problem}"
        read = len(parsed.entries)
        if isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe):
            record_warning(self.crawler, message)
        elif _recovered(document, read):
            record_warning(
                self.crawler, f"{message} (recovered: all {read} entries read)"
            )
        else:
            record_error(self.crawler, f"{message} ({read} entries read)")

    def _item(
        self,
        entry: Any,
        parsed: Any,
        feed_url: str,
    ) -> MentionItem | None:
        """The entry as an item; ``None`` when it has neither title nor text."""
        site_name = one_line(parsed.feed.get("title", "")) or None
        language = parsed.feed.get("language")
        title = entry.get("title")
        if title is not None:
            title = one_line(_detail_text(title, entry.get("title_detail"))) or None
        text = strip_boilerplate(_entry_text(entry))
        if not title and not text:
            return None
        author = _author(entry, parsed.feed, parsed.version)
        # dict.get: feedparser's own get maps a missing updated_parsed to a
        # published_parsed it could not read, with a DeprecationWarning
        published = _utc(
            dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        )
        link = entry.get("link")
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=_external_id(entry, title, text, author, published),
            url=canonical_url(link) if link else None,
            title=title,
            text=text,
            author=one_line(author) if author else None,
            site_name=site_name,
            language=language[:MAX_LANGUAGE] if language else None,
            published_at=published,
            raw={
                "feed_url": feed_url,
                "feed_format": parsed.version,
                "tags": [t.get("term") for t in entry.get("tags", []) if t.get("term")],
            },
        )

    def failed(self, failure: Failure) -> None:
        """Record why the feed could not be fetched."""
        record_fetch_failure(self.crawler, failure, self.params.url)
