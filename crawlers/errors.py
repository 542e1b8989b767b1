"""Collector errors, and how a crawl records a source's failure for its run.

Hierarchy::

    CollectorError
    ├── BadItemError            one item (post, event, entry) cannot be read: skipped
    ├── QueryError              a brand query does not parse (crawlers.query)
    ├── RedditCredentialsError  Reddit credentials missing or refused (crawlers.reddit)
    ├── XError                  X API errors: credentials, access, rate limit (crawlers.x)
    ├── XQueryError             a brand rule too long for X's query limit (crawlers.x)
    ├── YouTubeError            YouTube API errors: key, quota, comments off (crawlers.youtube)
    ├── QuotaBudgetError        a call would pass the daily unit budget (crawlers.youtube)
    ├── GraphError              Meta Graph API (and TikTok) errors: token, permission,
    │                           rate limit, outage (crawlers.metagraph)
    └── JsonFeedError           a body read as a JSON Feed is not JSON, or not a feed

A failing *source* (unreachable host, HTTP error, malformed feed) is not an
exception: the spider records it in the crawl's stats under ``ERROR_STAT`` (or
``WARNING_STAT`` for problems that lose nothing), and the crawl launcher copies
it to the source's ``crawl_runs`` row. Warnings are all kept, and so are the
crawl's extraction counts (``crawlers.health``): a crawl that read pages but
extracted nothing from them is reported as empty, with the reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Scrapy and Twisted load only in a crawl, not for `earful --help`
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

ERROR_STAT = "earful/error"
WARNING_STAT = "earful/warnings"  # a list: every distinct warning, in order
PAGES_STAT = "earful/pages"  # pages (or API responses) the spider read
EXTRACTED_STAT = "earful/extracted"  # posts, reviews or entries read from them
MATCHED_STAT = "earful/matched"  # of those, how many named a brand
EMPTY_STAT = "earful/empty"  # why the first page that yielded nothing did
MAX_WARNINGS = 10
SEEN_STAT = "earful/seen"
NEW_STAT = "earful/new"
UPDATED_STAT = "earful/updated"
SKIPPED_STAT = "earful/skipped_empty"  # entries with neither title nor text

logger = logging.getLogger(__name__)


class CollectorError(Exception):
    """Base class of every error raised by a collector."""


class BadItemError(CollectorError):
    """One item cannot be read (nested too deep, too big): it is skipped and counted.

    A collector never lets one stranger's post stop its source: the item is
    reported in the run's warning and the cursor moves past it.
    """


class JsonFeedError(CollectorError):
    """A body read as a JSON Feed is not JSON, or not a feed: nothing could be read."""


def record_error(crawler: Crawler, message: str) -> None:
    """Record ``message`` as the crawl's failure (the first one recorded wins)."""
    logger.warning("%s", message)
    stats = crawler.stats
    if stats is not None and stats.get_value(ERROR_STAT) is None:
        stats.set_value(ERROR_STAT, message)


def record_fetch_failure(crawler: Crawler, failure: Failure, fallback_url: str) -> None:
    """Record why a request failed: ``HTTP 404 from URL`` or ``cannot fetch URL: …``."""
    from scrapy.spidermiddlewares.httperror import HttpError  # noqa: PLC0415 - see above

    request = getattr(failure, "request", None)
    url = request.url if request is not None else fallback_url
    error: Any = failure.value
    if isinstance(error, HttpError):
        record_error(crawler, f"HTTP {error.response.status} from {url}")
    else:
        reason = failure.getErrorMessage() or type(error).__name__
        record_error(crawler, f"cannot fetch {url}: {reason}")


def record_warning(crawler: Crawler, message: str) -> None:
    """Record a problem that lost nothing; each distinct one is kept (up to 10)."""
    logger.warning("%s", message)
    stats = crawler.stats
    if stats is None:
        return
    warnings: list[str] = stats.get_value(WARNING_STAT) or []
    if message not in warnings and len(warnings) < MAX_WARNINGS:
        stats.set_value(WARNING_STAT, [*warnings, message])
