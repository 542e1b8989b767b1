"""One back-off for every collector: waits that double after each failure, capped.

``Backoff`` tells an API collector or listener (Reddit, X, YouTube, Mastodon,
Bluesky) when it may call again: after a rate limit, when its reset says
(``wait_for``); after a server or network error, ``first`` seconds doubling
per failure in a row up to ``cap`` (``failed``), starting over on success.

``BackoffRetryMiddleware`` gives Scrapy's retries the same doubling. Scrapy's ``RetryMiddleware`` (2.19) sends a retry as soon as the failure comes
back, which hits a struggling site again at once. This one takes its place
(``crawlers.settings`` switches Scrapy's off), keeps its rules and stats
(``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``, ``dont_retry``,
``max_retry_times``; ``scrapy.downloadermiddlewares.retry.get_retry_request``)
and makes each retry wait before it is downloaded:

- a 429 or 503 with ``Retry-After`` (seconds or an HTTP date) waits that long;
  one longer than ``EARFUL_RETRY_BACKOFF_MAX`` is not retried in this crawl, so
  the failure is recorded and the next scheduled crawl tries again;
- otherwise the n-th retry waits ``EARFUL_RETRY_BACKOFF * 2 ** (n - 1)``
  seconds, at most ``EARFUL_RETRY_BACKOFF_MAX`` (``doubling``).

The wait happens in ``process_request``, before the request reaches its
site's download slot, so other sites and other requests go on meanwhile.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)

DELAY_META = "earful_retry_delay"
RETRY_AFTER_CODES = frozenset({429, 503})
FIRST_BACKOFF_S = 60.0
MAX_BACKOFF_S = 900.0
_MAX_DOUBLINGS = 30  # far past any cap; keeps a long outage's float finite


def doubling(failures: int, first: float, cap: float) -> float:
    """The wait after ``failures`` in a row: ``first · 2^(failures-1)``, at most ``cap``."""
    return float(min(cap, first * 2.0 ** min(max(failures - 1, 0), _MAX_DOUBLINGS)))


class Backoff:
    """When a source may call its API again after a rate limit or a server error."""

    def __init__(self, first: float = FIRST_BACKOFF_S, cap: float = MAX_BACKOFF_S):
        self.first = first
        self.cap = cap
        self.resume_at = 0.0  # time.monotonic() seconds
        self.failures = 0

    def waiting(self) -> float:
        """Seconds left to wait (0 when the source may go on)."""
        return max(0.0, self.resume_at - time.monotonic())

    def wait_for(self, seconds: float) -> None:
        """Call again only after ``seconds`` (a rate limit's reset)."""
        self.resume_at = time.monotonic() + max(seconds, 0.0)

    def failed(self) -> float:
        """A server error: wait twice as long as last time (``first``, at most ``cap``)."""
        self.failures += 1
        delay = doubling(self.failures, self.first, self.cap)
        self.wait_for(delay)
        return delay

    def succeeded(self) -> None:
        """A call went through: the next server error starts from ``first`` again."""
        self.failures = 0


def retry_after(response: Response, now: datetime) -> float | None:
    """Seconds a 429 or 503 asks the client to wait, or ``None`` if it does not say."""
    if response.status not in RETRY_AFTER_CODES:
        return None
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class BackoffRetryMiddleware:
    """Retry like Scrapy, but wait first: ``Retry-After``, else exponential backoff."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            msg = "set RETRY_ENABLED to retry failed requests"
            raise NotConfigured(msg)
        self.crawler = crawler
        self.codes = frozenset(int(c) for c in settings.getlist("RETRY_HTTP_CODES"))
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e
            for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.base = settings.getfloat("EARFUL_RETRY_BACKOFF", 1.0)
        self.cap = settings.getfloat("EARFUL_RETRY_BACKOFF_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Read the retry settings and the backoff base and cap."""
        return cls(crawler)

    def _retry(self, request: Request, reason: str | Exception) -> Request | None:
        """Scrapy's retry request (counted in ``retry/*`` stats), or ``None`` at the limit."""
        spider = self.crawler.spider
        assert spider is not None  # noqa: S101 - middlewares run inside a crawl
        return get_retry_request(request, spider=spider, reason=reason)

    def backoff(self, retry: Request) -> float:
        """The wait before ``retry``: the base doubled per earlier retry, capped."""
        return doubling(int(retry.meta.get("retry_times", 1)), self.base, self.cap)

    async def process_request(self, request: Request) -> None:
        """Wait as long as the failure before this retry asked for."""
        delay = request.meta.pop(DELAY_META, None)
        if delay:
            await sleep(float(delay))

    def process_response(
        self, request: Request, response: Response
    ) -> Request | Response:
        """A retry that waits, when the response's status is one to retry."""
        if request.meta.get("dont_retry") or response.status not in self.codes:
            return response
        asked = retry_after(response, datetime.now(UTC))
        if asked is not None and asked > self.cap:
            logger.warning(
                "not retrying %s in this crawl: HTTP %d asks to wait %.0f s "
                "(more than %.0f s)",
                request.url,
                response.status,
                asked,
                self.cap,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        retry.meta[DELAY_META] = asked if asked is not None else self.backoff(retry)
        return retry

    def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | None:
        """A retry that waits, when the download failed in a way worth retrying."""
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            retry.meta[DELAY_META] = self.backoff(retry)
        return retry
