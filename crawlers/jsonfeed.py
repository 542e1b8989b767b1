"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org): recognise a document and read its items.

A body is read as JSON when it is served as ``application/feed+json`` or
``application/json`` or opens with ``{``; it is a JSON Feed when it is an object
whose ``version`` is a jsonfeed.org URL. It is read as UTF-8, as the spec says,
with or without a byte-order mark. Items are read one by one: a broken item is
left out and named in ``JsonFeed.problems``, and every other item is kept. JSON
that breaks off (a cut download) keeps the items before the break.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeGuard

from crawlers.dates import parse_date
from crawlers.errors import JsonFeedError
from crawlers.text import canonical_url, html_to_text, normalize_whitespace, one_line

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
MAX_PROBLEMS = 3  # named in the message; the rest are counted
MAX_TAGS = 50  # a stranger's feed decides how many: keep what a reader would use
MAX_TAG = 100


@dataclass(frozen=True)
class JsonFeedItem:
    """One item, its text already plain; dates are aware UTC datetimes."""

    id: str
    url: str | None
    external_url: str | None
    title: str | None
    text: str
    authors: tuple[str, ...]
    published: datetime | None
    modified: datetime | None
    tags: tuple[str, ...]
    language: str | None


@dataclass
class JsonFeed:
    """A parsed feed: its version URL, title, items, and what could not be read."""

    version: str
    title: str | None
    items: list[JsonFeedItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def describe(problems: list[str]) -> str:
    """``problems`` for one message: the first few named, the others counted."""
    shown = "; ".join(problems[:MAX_PROBLEMS])
    more = len(problems) - MAX_PROBLEMS
    return f"{shown}; and {more} more" if more > 0 else shown


def is_json(content_type: str | None, body: bytes) -> bool:
    """Whether to read ``body`` as JSON: a JSON media type, or it opens with ``{``."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in JSON_TYPES:
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


def _text_of(body: bytes, warnings: list[str]) -> str:
    """``body`` as UTF-8 (BOM or not); bytes that are not UTF-8 become U+FFFD."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(f"not UTF-8 at byte {exc.start}; undecodable bytes replaced")
        return body.decode("utf-8-sig", errors="replace")


def _skip(text: str, pos: int) -> int:
    """The position of the next character that is not JSON whitespace."""
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _expect(text: str, pos: int, char: str) -> int:
    """The position after ``char`` at ``pos`` (whitespace skipped), else an error."""
    pos = _skip(text, pos)
    if text[pos : pos + 1] != char:
        msg = f"expected {char!r}"
        raise ValueError(msg)
    return pos + 1


def _salvage(text: str) -> dict[str, Any]:
    """The top-level members read before broken JSON breaks, ``items`` one by one."""
    decoder = json.JSONDecoder()
    found: dict[str, Any] = {}
    try:
        pos = _expect(text, 0, "{")
        while True:
            key, pos = decoder.raw_decode(text, _skip(text, pos))
            pos = _skip(text, _expect(text, pos, ":"))
            if key == "items" and text[pos : pos + 1] == "[":
                items: list[Any] = []
                found["items"] = items
                pos = _skip(text, pos + 1)
                while text[pos : pos + 1] != "]":
                    value, pos = decoder.raw_decode(text, pos)
                    items.append(value)
                    pos = _skip(text, pos)
                    if text[pos : pos + 1] == ",":
                        pos = _skip(text, pos + 1)
                pos += 1
            else:
                found[str(key)], pos = decoder.raw_decode(text, pos)
            pos = _expect(text, pos, ",")
    except (ValueError, IndexError, RecursionError):
        return found  # read as far as it goes


def _load(body: bytes, warnings: list[str]) -> tuple[Any, str | None]:
    """The document, and why it is broken when only part of it could be read."""
    text = _text_of(body, warnings)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except RecursionError:
        reason = "invalid JSON: nested too deeply"
    partial = _salvage(text)
    if not _is_version(partial.get("version")):
        raise JsonFeedError(reason)
    return partial, reason


def _is_version(value: Any) -> TypeGuard[str]:
    """Whether ``value`` is a jsonfeed.org version URL (1, 1.1 or later)."""
    return isinstance(value, str) and value.startswith(VERSION_PREFIXES)


def _string(value: Any) -> str | None:
    """A non-empty stripped string, else ``None``."""
    return value.strip() or None if isinstance(value, str) else None


def _authors(container: dict[str, Any]) -> tuple[str, ...]:
    """Names from ``authors`` (1.1), else ``author`` (1.0); a URL when there is no name."""
    found = container.get("authors")
    if not isinstance(found, list):
        found = [container.get("author")]
    names = []
    for author in found:
        if isinstance(author, dict):
            name = _string(author.get("name")) or _string(author.get("url"))
            if name:
                names.append(one_line(name))
    return tuple(names)


def _text(item: dict[str, Any]) -> str:
    """``content_html`` as text, else ``content_text``, else ``summary``."""
    if html := _string(item.get("content_html")):
        return html_to_text(html)
    plain = _string(item.get("content_text")) or _string(item.get("summary"))
    return normalize_whitespace(plain) if plain else ""


def _tags(value: Any) -> tuple[str, ...]:
    """The item's string tags, at most ``MAX_TAGS`` of ``MAX_TAG`` characters each."""
    if not isinstance(value, list):
        return ()
    tags = (one_line(tag)[:MAX_TAG] for tag in value if isinstance(tag, str))
    return tuple(tag for tag in tags if tag)[:MAX_TAGS]


def _url(value: Any) -> str | None:
    url = _string(value)
    return canonical_url(url) if url else None


class _Reader:
    """Reads items against the feed's defaults (authors, language) and the crawl time."""

    def __init__(self, feed: dict[str, Any], now: datetime, parsed: JsonFeed) -> None:
        self.authors = _authors(feed)
        self.language = _string(feed.get("language"))
        self.now = now
        self.parsed = parsed

    def date(self, where: str, value: Any) -> datetime | None:
        if value is None:
            return None
        found = parse_date(value, self.now) if isinstance(value, str) else None
        if found is None:
            self.parsed.warnings.append(f"{where}: not an RFC 3339 date: {value!r:.60}")
        return found

    def item(self, index: int, raw: Any) -> JsonFeedItem | str:
        """The item at ``index``, or why it cannot be read."""
        if not isinstance(raw, dict):
            return f"items[{index}]: not an object"
        ident = raw.get("id")
        if isinstance(ident, int | float) and not isinstance(ident, bool):
            ident = str(ident)  # the spec says readers must coerce it to a string
        ident = _string(ident) or _string(raw.get("url"))
        if ident is None:
            return f"items[{index}]: no id"
        title = raw.get("title")
        if title is not None and not isinstance(title, str):
            return f"items[{index}]: title is not a string"
        where = f"items[{index}]"
        return JsonFeedItem(
            id=ident,
            url=_url(raw.get("url")),
            external_url=_url(raw.get("external_url")),
            title=one_line(title) or None if title else None,
            text=_text(raw),
            authors=_authors(raw) or self.authors,
            published=self.date(f"{where}.date_published", raw.get("date_published")),
            modified=self.date(f"{where}.date_modified", raw.get("date_modified")),
            tags=_tags(raw.get("tags")),
            language=_string(raw.get("language")) or self.language,
        )


def parse_json_feed(body: bytes, now: datetime) -> JsonFeed:
    """Parse a JSON Feed; raise ``JsonFeedError`` when it is not one at all.

    ``now`` resolves relative dates (a lenient reader's fallback to dateparser).
    """
    warnings: list[str] = []
    document, broken = _load(body, warnings)
    if not isinstance(document, dict):
        msg = f"a JSON {type(document).__name__}, not a JSON Feed object"
        raise JsonFeedError(msg)
    version = document.get("version")
    if not _is_version(version):
        msg = f"a JSON object without a jsonfeed.org version (version: {version!r:.60})"
        raise JsonFeedError(msg)
    title = _string(document.get("title"))
    parsed = JsonFeed(version, one_line(title) if title else None, warnings=warnings)
    if broken:
        parsed.problems.append(broken)
    items = document.get("items")
    if not isinstance(items, list):
        parsed.problems.append("items is not an array")
        return parsed
    reader = _Reader(document, now, parsed)
    for index, raw in enumerate(items):
        found = reader.item(index, raw)
        if isinstance(found, str):
            parsed.problems.append(found)
        else:
            parsed.items.append(found)
    return parsed
