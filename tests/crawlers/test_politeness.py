"""Crawl etiquette in real crawls: User-Agent, retries that back off, timeouts, settings."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from scrapy.http import Response

from crawlers.backoff import retry_after
from crawlers.crawl_child import crawl_settings
from crawlers.crawl_job import CrawlJob
from crawlers.match import BrandRule
from crawlers.politeness import Politeness
from tests.crawlers.conftest import ACME, crawl, mentions
from tests.servers.scripted import Reply
from tests.servers.site import news_feed

RSS = "application/rss+xml; charset=utf-8"
FEED = Reply(news_feed().encode(), RSS)
UNAVAILABLE = Reply(b"try later", "text/plain", 503)
AGENT = "Earful/0.1 (+https://github.com/earful/earful; mailto:pr@example.com)"


def _gaps(scripted, path):
    times = [seen.at for seen in scripted.requests_for(path)]
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_every_request_names_the_product_and_the_operator_contact(scripted, sqlite_url):
    url = scripted.script("/news.xml", FEED)
    result = crawl(
        sqlite_url, "ua", url, politeness={"contact": "mailto:pr@example.com"}
    )
    assert (result["new"], result["error"]) == (3, None)
    [robots] = scripted.requests_for("/robots.txt")
    [feed] = scripted.requests_for("/news.xml")
    assert robots.headers["User-Agent"] == feed.headers["User-Agent"] == AGENT


def test_503s_are_retried_after_a_doubling_backoff(scripted, sqlite_url):
    url = scripted.script("/flaky.xml", UNAVAILABLE, UNAVAILABLE, FEED)
    polite = {"download_delay": 0, "retry_backoff": 1.5}
    result = crawl(sqlite_url, "flaky", url, politeness=polite)
    assert result == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    first, second = _gaps(scripted, "/flaky.xml")
    # 1.5 s, then 3 s; AutoThrottle alone would wait at most 1.5 s here.
    assert first >= 1.5
    assert second >= 3.0


def test_a_429_waits_as_long_as_retry_after_says(scripted, sqlite_url):
    busy = Reply(b"slow down", "text/plain", 429, {"Retry-After": "2"})
    url = scripted.script("/busy.xml", busy, FEED)
    polite = {"download_delay": 0, "retry_backoff": 0.1}
    result = crawl(sqlite_url, "busy", url, politeness=polite)
    assert (result["new"], result["error"]) == (3, None)
    [gap] = _gaps(scripted, "/busy.xml")
    assert gap >= 2.0


def test_a_retry_after_past_the_cap_is_left_to_the_next_crawl(scripted, sqlite_url):
    busy = Reply(b"come back in an hour", "text/plain", 429, {"Retry-After": "3600"})
    url = scripted.script("/later.xml", busy, FEED)
    result = crawl(sqlite_url, "later", url)
    assert result["error"] == f"HTTP 429 from {url}"
    assert len(scripted.requests_for("/later.xml")) == 1


def test_retries_run_out_and_the_last_status_is_recorded(scripted, sqlite_url):
    url = scripted.script("/down.xml", UNAVAILABLE)
    polite = {"download_delay": 0, "retries": 1, "retry_backoff": 0.1}
    result = crawl(sqlite_url, "down", url, politeness=polite)
    assert result["error"] == f"HTTP 503 from {url}"
    assert len(scripted.requests_for("/down.xml")) == 2
    assert mentions(sqlite_url, "down") == []


def test_a_request_timeout_is_recorded_with_the_url(site, sqlite_url):
    url = f"{site.url}/hang"
    polite = {"request_timeout": 1, "retries": 0}
    result = crawl(sqlite_url, "slow", url, politeness=polite)
    assert result["error"] == (
        f"cannot fetch {url}: Getting {url} took longer than 1.0 seconds."
    )


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)

    def response(status, value):
        return Response(
            "http://127.0.0.1/", status=status, headers={"Retry-After": value}
        )

    assert retry_after(response(429, "120"), now) == 120
    assert retry_after(response(503, later), now) == 90
    assert retry_after(response(503, "soon"), now) is None
    assert retry_after(response(500, "120"), now) is None  # only 429 and 503


def test_the_operator_settings_become_scrapy_settings():
    polite = Politeness(
        contact="https://acme.example/bot",
        concurrency_per_domain=1,
        download_delay=2.5,
        autothrottle_target=0.5,
        request_timeout=10,
        retries=4,
        retry_backoff=3,
    )
    job = CrawlJob(
        source="s",
        spider="feed",
        params={},
        brands=(ACME, BrandRule("B", ("b",))),
        database_url="sqlite://",
        politeness=polite,
    )
    settings = crawl_settings(job)
    assert settings["USER_AGENT"] == (
        "Earful/0.1 (+https://github.com/earful/earful; https://acme.example/bot)"
    )
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") == 2.5
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") == 0.5
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 10
    assert settings.getint("RETRY_TIMES") == 4
    assert settings.getfloat("EARFUL_RETRY_BACKOFF") == 3
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")

    defaults = crawl_settings(job.model_copy(update={"politeness": Politeness()}))
    assert defaults["USER_AGENT"] == "Earful/0.1 (+https://github.com/earful/earful)"
    assert defaults.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert defaults.getfloat("DOWNLOAD_DELAY") == 1.0
