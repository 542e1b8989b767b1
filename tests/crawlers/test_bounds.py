"""crawlers.bounds: absurd dates, counts, ids and JSON are bounded, never raised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawlers.bounds import (
    MAX_ID,
    bounded_id,
    from_timestamp,
    loads_json,
    parse_iso,
    sane_date,
    too_deep,
)
from crawlers.errors import BadItemError
from crawlers.items import MentionItem
from crawlers.pipelines import NormalizePipeline

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # the test's clock


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        (NOW - timedelta(days=3650), None),
        (NOW + timedelta(hours=23), None),
        (NOW + timedelta(days=2), "is more than a day after it was collected"),
        (datetime(1989, 12, 31, tzinfo=UTC), "is before 1990"),
        (datetime(1970, 1, 1, tzinfo=UTC), "is before 1990"),
    ],
)
def test_a_date_is_judged_against_the_collection_clock(when, problem):
    kept, why = sane_date(when, NOW)
    if problem is None:
        assert (kept, why) == (when, None)
    else:
        assert kept is None
        assert why is not None
        assert problem in why


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
)
def test_a_date_python_cannot_convert_to_utc_is_out_of_range(stamp):
    when = parse_iso(stamp)
    assert when is not None
    assert sane_date(when, NOW) == (None, f"date {stamp} is out of range")


@pytest.mark.parametrize("seconds", [1e14, -1e14, float("inf"), float("nan")])
def test_a_timestamp_out_of_range_is_none(seconds):
    assert from_timestamp(seconds) is None


def test_a_long_id_keeps_its_start_and_stays_unique():
    one, two = "x" * 600 + "1", "x" * 600 + "2"
    assert len(bounded_id(one)) == MAX_ID
    assert bounded_id(one) != bounded_id(two)
    assert bounded_id(one) == bounded_id(one)
    assert (
        bounded_id("at://did/app.bsky.feed.post/3l") == "at://did/app.bsky.feed.post/3l"
    )


def test_json_nested_too_deep_or_too_big_is_a_bad_item():
    with pytest.raises(BadItemError, match="nested more than 64 deep"):
        loads_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(BadItemError, match="nested more than 3 deep"):
        loads_json('{"a": [[{"b": 1}]]}', max_depth=3)
    with pytest.raises(BadItemError, match="over the 10-byte limit"):
        loads_json('{"text": "アクメ"}', max_bytes=10)
    assert loads_json('{"a": [[1]]}', max_depth=3) == {"a": [[1]]}
    assert not too_deep("scalar", 0)


def test_normalize_drops_absurd_values_with_a_warning_and_keeps_the_post():
    item = MentionItem(
        source="s",
        source_type="feed",
        external_id="e" * 700,
        text="アクメ最悪",
        score=10**20,
        comments=-(10**12),
        followers=12,
        rating=float("nan"),
        language="x" * 40,
        published_at=datetime(9999, 12, 31, tzinfo=UTC),
        published_precision="day",
    )
    NormalizePipeline().process_item(item)
    assert len(item.external_id) == MAX_ID
    assert (item.score, item.comments, item.followers) == (None, None, 12)
    assert (item.rating, item.language, item.published_at) == (None, None, None)
    assert item.published_precision is None
    assert item.text == "アクメ最悪"
    where = "e" * 100
    assert item.warnings == [
        f"{where}: score 100000000000000000000 is out of range",
        f"{where}: comments -1000000000000 is out of range",
        f"{where}: rating is not a number",
        (
            f"{where}: published_at: date 9999-12-31 is more than a day after it "
            "was collected; stored without it"
        ),
    ]


def test_feeds_nested_100000_deep_parse_without_recursion():
    """The feed spider's parser (feedparser on expat's SAX) does not recurse."""
    import feedparser  # noqa: PLC0415 - this test only

    deep = "<x>" * 100_000 + "</x>" * 100_000
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<item><title>アクメ</title>{deep}</item><item><title>good</title></item>"
        "</channel></rss>"
    )
    parsed = feedparser.parse(feed.encode())
    assert [e.title for e in parsed.entries] == ["アクメ", "good"]
