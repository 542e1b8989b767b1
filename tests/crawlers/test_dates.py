"""Dates as forums and feeds write them, to aware UTC (common ones without dateparser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawlers.dates import parse_date

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
