"""AppStoreSpider: an app's customer reviews from Apple's public RSS feed, as JSON.

``{api_url}/{country}/rss/customerreviews/page={n}/id={app_id}/sortby=mostrecent/json``
answers ``{"feed": {"entry": [...], "link": [...]}}`` with up to 50 reviews a
page, newest first, and at most 10 pages. Every value is wrapped as
``{"label": ...}``; ``entry`` is a list, a single object when a page holds one
review, and missing when it holds none. Each review has an ``id``, ``author``,
``updated`` (ISO 8601 with an offset), ``im:rating`` (1 to 5), ``im:version``,
``title`` and ``content``.

The cursor keeps the newest ``updated`` seen and the reviews at that instant;
a crawl stops at the first page that reaches back to it, so after the first run
only the first page is read. An edited review comes back on top with a newer
date and updates the stored one. Some real feeds leave ``updated`` out: such a
review is stored without a date, with a warning, and the cursor follows its
review id instead (``last_id``: Apple numbers reviews in the order written), so
a poll still stops where the last one did. A date that cannot be (the year
2999) is treated the same way, and a count that is not a number is left out.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.bounds import bounded_int, sane_date
from crawlers.errors import record_error, record_fetch_failure, record_warning
from crawlers.health import known_before
from crawlers.items import MentionItem
from crawlers.params import AppStoreParams
from crawlers.text import normalize_whitespace, one_line

REVIEWS_URL = "https://apps.apple.com/{country}/app/id{app_id}?see-all=reviews"
MAX_DIGITS = 10  # a count label longer than this is past MAX_COUNT anyway


def _label(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    if isinstance(value, list):  # older feeds: text and HTML content side by side
        value = next((v for v in value if isinstance(v, dict)), {})
    if isinstance(value, dict):
        return str(value.get("label") or "")
    return ""


def _utc(stamp: str) -> datetime | None:
    """An ISO 8601 date (with its offset, as Apple writes them) in UTC."""
    try:
        parsed = datetime.fromisoformat(stamp.strip()) if stamp.strip() else None
        if parsed is None:
            return None
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # year 9999 at UTC-14 is past datetime.max
        return None


def entries(reply: Any) -> list[dict[str, Any]]:
    """The reviews of one page; raises ``ValueError`` when it is not such a feed."""
    if not isinstance(reply, dict) or not isinstance(reply.get("feed"), dict):
        msg = 'no "feed" object'
        raise ValueError(msg)  # noqa: TRY004 - a malformed answer, not a bad call
    found = reply["feed"].get("entry") or []
    found = [found] if isinstance(found, dict) else found
    return [e for e in found if isinstance(e, dict) and _label(e, "im:rating")]


def _count(entry: dict[str, Any], key: str) -> int | None:
    """A label that holds a count ("2"), if it is ASCII digits within ``MAX_COUNT``."""
    label = _label(entry, key).strip()
    if not (label.isascii() and label.isdigit()) or len(label) > MAX_DIGITS:
        return None
    return bounded_int(int(label))


def _review_number(ident: str) -> int | None:
    """The review's number in ``country/app/review`` (Apple's ids are numbers)."""
    tail = ident.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _newer_id(ident: str, last: int | None) -> bool:
    """Whether the undated review ``ident`` came after review number ``last``."""
    number = _review_number(ident)
    return last is None or number is None or number > last


class AppStoreSpider(Spider):
    """Yield one ``MentionItem`` per review newer than the last crawl's newest.

    Arguments (see ``AppStoreParams``): ``app_id``, ``country``, ``about``,
    ``max_pages``, ``api_url``. Cursor: ``{"newest": ISO date, "ids": [...]}``.
    """

    name = "appstore"
    source_type = "appstore"
    params_model = AppStoreParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = AppStoreParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None

    @property
    def source(self) -> str:
        """The config's source name, else one made from the app and country."""
        default = f"appstore:{self.params.country}/{self.params.app_id}"
        return str(self.settings.get("EARFUL_SOURCE") or default)

    def _request(self, page: int) -> Request:
        p = self.params
        url = (
            f"{p.api_url.rstrip('/')}/{p.country}/rss/customerreviews/page={page}"
            f"/id={p.app_id}/sortby=mostrecent/json"
        )
        return Request(
            url, callback=self.parse, errback=self.failed, cb_kwargs={"page": page}
        )

    async def start(self) -> AsyncIterator[Request]:
        """The first page: the newest reviews."""
        self.next_cursor = dict(self.cursor) or {"newest": None, "ids": []}
        yield self._request(1)

    def _is_new(self, updated: datetime | None, ident: str) -> bool:
        newest = self.cursor.get("newest")
        if updated is None:
            return _newer_id(ident, self.cursor.get("last_id"))
        if newest is None:
            return True
        last = datetime.fromisoformat(newest)
        return updated > last or (
            updated == last and ident not in self.cursor.get("ids", [])
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Yield the page's new reviews, and the next page while all were new."""
        try:
            found = entries(json.loads(response.body))
        except ValueError as exc:
            record_error(
                self.crawler, f"not an App Store feed at {response.url}: {exc}"
            )
            return
        fresh = True
        undated = 0
        for entry in found:
            item = self._item(entry)
            if item is None:
                record_warning(
                    self.crawler, f"a review without an id at {response.url}"
                )
                continue
            undated += item.published_at is None
            # A date that cannot be (the year 2999) is dropped by NormalizePipeline
            # with a warning; as the cursor it would hide every later review.
            when, _ = sane_date(item.published_at)
            if not self._is_new(when, item.external_id):
                fresh = False
                known_before(response)  # read fine, collected before: quiet
                continue
            self._remember(item, when)
            yield item
        if undated:
            record_warning(
                self.crawler,
                f"{undated} review{'s' * (undated != 1)} at {response.url} without "
                "a date (no 'updated'): stored undated, the cursor follows review ids",
            )
        page = int(kwargs.get("page", 1))
        if found and fresh and page < self.params.max_pages:
            yield self._request(page + 1)

    def _remember(self, item: MentionItem, when: datetime | None) -> None:
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        if when is None:
            last = self.next_cursor.get("last_id")
            if _newer_id(item.external_id, last):
                self.next_cursor["last_id"] = _review_number(item.external_id)
            return
        newest = self.next_cursor.get("newest")
        stamp = when.isoformat()
        if newest is None or when > datetime.fromisoformat(newest):
            self.next_cursor = {"newest": stamp, "ids": [item.external_id]}
        elif when == datetime.fromisoformat(newest):
            self.next_cursor["ids"] = [*self.next_cursor["ids"], item.external_id]

    def _item(self, entry: dict[str, Any]) -> MentionItem | None:
        review_id = _label(entry, "id").strip()
        if not review_id:
            return None
        author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
        stars = _count(entry, "im:rating") or 0
        updated = _label(entry, "updated")
        published = _utc(updated)
        p = self.params
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=f"{p.country}/{p.app_id}/{review_id}",
            url=REVIEWS_URL.format(country=p.country, app_id=p.app_id),
            title=one_line(_label(entry, "title")) or None,
            text=normalize_whitespace(_label(entry, "content")),
            author=_label(author or {}, "name") or None,
            site_name="App Store",
            thread_id=f"{p.country}/{p.app_id}",
            rating=stars if 1 <= stars <= 5 else None,  # noqa: PLR2004
            rating_best=5 if 1 <= stars <= 5 else None,  # noqa: PLR2004
            published_at=published,
            raw={
                "stars": stars or None,
                "version": _label(entry, "im:version") or None,
                "votes": _count(entry, "im:voteCount"),
            },
            about=p.about,
        )

    def failed(self, failure: Failure) -> None:
        """Record why a page could not be fetched (403 and 429 included)."""
        record_fetch_failure(self.crawler, failure, self.params.api_url)
