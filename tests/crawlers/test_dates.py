"""Dates as forums and feeds write them, to aware UTC (common ones without dateparser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawlers.dates import Dated, parse_date, parse_dated
from tests.crawlers import markup_pages as pages
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("21.01.2009, 05:42", "DMY", datetime(2009, 1, 21, 5, 42, tzinfo=UTC)),
        ("26/10/13, 03:48 pm", "DMY", datetime(2013, 10, 26, 15, 48, tzinfo=UTC)),
        ("12.03.2026 - 12:00 am", "DMY", datetime(2026, 3, 12, 0, 0, tzinfo=UTC)),
        ("12/31/99", "MDY", datetime(1999, 12, 31, tzinfo=UTC)),
        ("03/04/05", "DMY", datetime(2005, 4, 3, tzinfo=UTC)),
        ("2014/05/30 23:17:05", None, datetime(2014, 5, 30, 23, 17, 5, tzinfo=UTC)),
        (
            "2020-09-18T08:56:40-0700",
            None,
            datetime(2020, 9, 18, 15, 56, 40, tzinfo=UTC),
        ),
        ("on March 2, 2017", None, datetime(2017, 3, 2, tzinfo=UTC)),
        ("Sept. 30 2025", "DMY", datetime(2025, 9, 30, tzinfo=UTC)),
        ("on 2 MAR, 2017", None, datetime(2017, 3, 2, tzinfo=UTC)),
        ("February 30, 2017", None, None),  # no such day: dateparser agrees
        ("3 days ago", None, NOW - timedelta(days=3)),
        ("31/02/2020", "DMY", None),  # no such day
        ("no date here", None, None),
    ],
)
def test_dates_in_the_forms_sites_write_them(text, order, expected):
    assert parse_date(text, NOW, date_order=order) == expected


def test_an_ambiguous_numeric_date_without_an_order_is_left_to_dateparser():
    # dateparser's default order for a bare 05/06/2020 is month first.
    assert parse_date("05/06/2020", NOW) == datetime(2020, 5, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年5月1日に日本でレビュー済み", datetime(2023, 5, 1, tzinfo=UTC)),
        ("投稿日：2024/05/01", datetime(2024, 5, 1, tzinfo=UTC)),
        ("2024年5月1日 12:30 投稿", datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
        (
            "Reviewed in the United States on March 2, 2017",
            datetime(2017, 3, 2, tzinfo=UTC),
        ),
    ],
)
def test_a_date_inside_other_words_is_found(text, expected):
    assert parse_date(text, NOW) == expected


def test_text_without_a_date_stays_undated():
    assert parse_date("満足度 4 / 参考になった 12", NOW) is None


def _month(year: int, month: int) -> Dated:
    return Dated(datetime(year, month, 1, tzinfo=UTC), "month")


# Crawled on the 31st: a gap filled from the crawl day would be Nov 31 (no such
# day) or spill into the next month.
ON_THE_31ST = datetime(2026, 10, 31, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/10訪問", _month(2026, 10)),  # 食べログ: the month of the visit
        ("2026年10月訪問", _month(2026, 10)),
        ("2026年 9月", _month(2026, 9)),
        ("2026/9", _month(2026, 9)),
        ("10月", _month(2026, 10)),  # no year: the latest October not ahead
        ("先月", _month(2026, 9)),
        ("last month", _month(2026, 9)),
        ("September 2026", _month(2026, 9)),
        ("2025", Dated(datetime(2025, 1, 1, tzinfo=UTC), "year")),
        ("1年前", Dated(datetime(2025, 1, 1, tzinfo=UTC), "year")),
        ("2026年10月7日", Dated(datetime(2026, 10, 7, tzinfo=UTC), "day")),
        ("2026-10-07", Dated(datetime(2026, 10, 7, tzinfo=UTC), "day")),
        ("3日前", Dated(ON_THE_31ST - timedelta(days=3), "day")),
        ("3時間前", Dated(ON_THE_31ST - timedelta(hours=3))),
        ("2026-10-07T10:00:00+09:00", Dated(datetime(2026, 10, 7, 1, tzinfo=UTC))),
        ("2026年13月", None),  # no such month: no date rather than a wrong one
    ],
)
def test_a_date_keeps_the_precision_its_source_gave(text, expected):
    assert parse_dated(text, ON_THE_31ST) == expected


@pytest.mark.parametrize("day", [1, 15, 28, 30, 31])
def test_a_month_only_date_never_takes_the_crawl_day(day):
    now = datetime(2026, 12, day, 23, 59, tzinfo=UTC) if day < 31 else ON_THE_31ST
    assert parse_date("2026/11訪問", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_date("2026年11月", now) == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_month_only_review_date_is_stored_as_the_first_with_month_precision(
    scripted, database_url
):
    """食べログ's visit month, crawled and stored: read back as the 1st, "month"."""
    url = scripted.url + "/tokyo/A1301/A130101/13000001/dtlrvwlst/"
    scripted.script(
        "/tokyo/A1301/A130101/13000001/dtlrvwlst/",
        Reply(pages.TABELOG.encode(), "text/html; charset=utf-8"),
    )
    result = crawl(database_url, "tabelog", url, spider="forum", recipe="tabelog")
    assert result["error"] is None
    stored = {m.author: m for m in mentions(database_url, "tabelog")}
    assert (
        stored["グルメ太郎"].published_at,
        stored["グルメ太郎"].published_precision,
    ) == (datetime(2026, 10, 1, tzinfo=UTC), "month")
