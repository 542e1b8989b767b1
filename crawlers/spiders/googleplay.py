"""GooglePlaySpider: an app's reviews and developer replies from Google Play.

A thin client of the endpoint ``google-play-scraper`` uses, because that library
builds its URLs from a module constant (``https://play.google.com``) and cannot
be pointed at a local server for tests, nor run inside Scrapy's politeness
(delays, robots.txt, retries). The shape is the same:

``POST {api_url}/_/PlayStoreUi/data/batchexecute?hl=ja&gl=jp`` with the form
field ``f.req`` = ``[[["UsvDTd", INNER, null, "generic"]]]``, ``INNER`` being the
JSON text ``[null,null,[2,SORT,[COUNT,null,TOKEN],null,[null,null]],[APP,7]]``
(sort 2 is newest first; ``TOKEN`` is ``null`` for the first page). The answer
starts with ``)]}'`` and two newlines; then a JSON array whose ``["wrb.fr",
"UsvDTd", PAYLOAD, ...]`` element holds the payload as JSON text:
``[[review, ...], ..., [null, NEXT_TOKEN]]``. A review is an array: ``[0]`` id,
``[1][0]`` author, ``[2]`` stars, ``[4]`` text, ``[5][0]`` time (epoch seconds),
``[6]`` thumbs up, ``[7]`` the developer's reply (``[7][1]`` text, ``[7][2][0]``
time) or null, ``[10]`` the app version. A refusal keeps HTTP 200 but leaves the
payload null, with an error code after it.

The cursor keeps the newest review time seen. Each crawl reads newest first down
to ``reply_window`` before it, so a reply given since the last crawl is stored
(the review is then ``updated``) and older reviews are not asked for again. A
review without a date, or with one that cannot be (year 9999), is stored undated
and never moves the cursor.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.bounds import from_timestamp, loads_json, sane_date
from crawlers.errors import BadItemError, record_error, record_fetch_failure
from crawlers.health import known_before
from crawlers.items import MentionItem
from crawlers.params import GooglePlayParams
from crawlers.text import normalize_whitespace

RPC = "UsvDTd"
NEWEST = 2
_PREFIX = re.compile(rb"^\s*\)\]\}'\s*")
DETAILS = "https://play.google.com/store/apps/details?{}"


class PlayAnswerError(ValueError):
    """An answer that is not the reviews RPC's, or that carries its refusal."""


def review_payload(body: bytes) -> tuple[list[Any], str | None]:
    """The reviews of one answer and the next page's token (``None``: the last page)."""
    try:
        outer = loads_json(_PREFIX.sub(b"", body, count=1))
    except BadItemError as exc:
        msg = f"not JSON after the )]}}' prefix: {exc}"
        raise PlayAnswerError(msg) from None
    if not isinstance(outer, list):
        msg = f"no {RPC} answer"
        raise PlayAnswerError(msg)
    calls = [c for c in outer if isinstance(c, list) and c[:2] == ["wrb.fr", RPC]]
    if not calls:
        msg = f"no {RPC} answer"
        raise PlayAnswerError(msg)
    call = calls[0]
    if len(call) < 3 or not isinstance(call[2], str):  # noqa: PLR2004 - the payload's place
        code = call[5] if len(call) > 5 else None  # noqa: PLR2004 - the error's place
        msg = f"Google Play refused the request (error {code})"
        raise PlayAnswerError(msg)
    try:
        payload = loads_json(call[2])
    except BadItemError as exc:
        msg = f"the {RPC} payload: {exc}"
        raise PlayAnswerError(msg) from None
    if not isinstance(payload, list):
        msg = f"the {RPC} payload is not a list"
        raise PlayAnswerError(msg)
    reviews = payload[0] if payload and isinstance(payload[0], list) else []
    last = payload[-1] if payload and isinstance(payload[-1], list) else []
    token = last[-1] if last and isinstance(last[-1], str) else None
    return reviews, token


def _at(value: Any, *path: int) -> Any:
    for index in path:
        if not isinstance(value, list) or len(value) <= index:
            return None
        value = value[index]
    return value


def _time(seconds: Any) -> datetime | None:
    return from_timestamp(seconds) if isinstance(seconds, int) else None


class GooglePlaySpider(Spider):
    """Yield one ``MentionItem`` per review within ``reply_window`` of the newest seen.

    Arguments (see ``GooglePlayParams``). Cursor: ``{"newest": epoch seconds}``.
    """

    name = "googleplay"
    source_type = "googleplay"
    params_model = GooglePlayParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.params = GooglePlayParams.model_validate(kwargs)
        super().__init__(*args)
        self.cursor: dict[str, Any] = {}
        self.next_cursor: dict[str, Any] | None = None

    @property
    def source(self) -> str:
        """The config's source name, else one made from the app id."""
        return str(
            self.settings.get("EARFUL_SOURCE") or f"googleplay:{self.params.app_id}"
        )

    def _request(self, page: int, token: str | None) -> Request:
        p = self.params
        page_spec = [p.per_page, None, token]
        inner: list[Any] = [None, None, [2, NEWEST, page_spec, None, [None, None]]]
        inner.append([p.app_id, 7])
        req = [[[RPC, json.dumps(inner, separators=(",", ":")), None, "generic"]]]
        query = urlencode({"hl": p.lang, "gl": p.country})
        return Request(
            f"{p.api_url.rstrip('/')}/_/PlayStoreUi/data/batchexecute?{query}",
            method="POST",
            body=urlencode({"f.req": json.dumps(req, separators=(",", ":"))}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            callback=self.parse,
            errback=self.failed,
            cb_kwargs={"page": page},
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Request]:
        """The newest reviews first."""
        self.next_cursor = {"newest": self.cursor.get("newest")}
        yield self._request(1, None)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Yield the page's reviews down to the window's start; then the next page."""
        try:
            reviews, token = review_payload(response.body)
        except PlayAnswerError as exc:
            record_error(self.crawler, f"{exc} at {response.url}")
            return
        assert self.next_cursor is not None  # noqa: S101 - set in start()
        newest = self.cursor.get("newest")
        floor = newest - self.params.reply_window if newest else None
        reached_floor = False
        for review in reviews:
            item = self._item(review)
            if item is None:
                continue
            when, _ = sane_date(item.published_at)
            if when is None:
                # Undated or absurd (year 9999): stored, NormalizePipeline says
                # why, and never the cursor, which would end every later crawl.
                yield item
                continue
            stamp = int(when.timestamp())
            if floor is not None and stamp < floor:
                reached_floor = True
                known_before(response)  # read fine, collected before: quiet
                break
            if stamp > (self.next_cursor["newest"] or 0):
                self.next_cursor["newest"] = stamp
            yield item
        page = int(kwargs.get("page", 1))
        if token and not reached_floor and page < self.params.max_pages:
            yield self._request(page + 1, token)

    def _item(self, review: Any) -> MentionItem | None:
        ident = _at(review, 0)
        text = _at(review, 4)
        if not isinstance(ident, str) or not ident:
            return None
        stars = _at(review, 2)
        stars = stars if isinstance(stars, int) and 1 <= stars <= 5 else None  # noqa: PLR2004
        reply = _at(review, 7, 1)
        p = self.params
        link = urlencode(
            {"id": p.app_id, "hl": p.lang, "gl": p.country, "reviewId": ident}
        )
        return MentionItem(
            source=self.source,
            source_type=self.source_type,
            external_id=ident,
            url=DETAILS.format(link),
            text=normalize_whitespace(text) if isinstance(text, str) else "",
            author=_at(review, 1, 0) or None,
            site_name="Google Play",
            thread_id=p.app_id,
            rating=stars,
            rating_best=5 if stars else None,
            published_at=_time(_at(review, 5, 0)),
            raw={
                "stars": stars,
                "version": _at(review, 10),
                "thumbs_up": _at(review, 6),
            },
            reply_text=normalize_whitespace(reply) if isinstance(reply, str) else None,
            replied_at=_time(_at(review, 7, 2, 0)),
            about=p.about,
        )

    def failed(self, failure: Failure) -> None:
        """Record why a page could not be fetched (403, 429, …)."""
        record_fetch_failure(self.crawler, failure, self.params.api_url)
