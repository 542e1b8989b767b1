"""The App Store spider against a local customer-reviews RSS JSON feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import crawl, mentions
from tests.servers.scripted import Reply, ScriptedSite

APP = 1234567890
FAST = {"download_delay": 0, "retries": 0}
# Apple answers JSON as text/javascript; here with a charset it does not use.
MISDECLARED = "text/javascript; charset=Shift_JIS"


def review(
    ident: int, stars: int, updated: str, title: str, text: str
) -> dict[str, Any]:
    """One review entry as Apple writes it: every value wrapped in a label."""
    return {
        "author": {
            "uri": {"label": f"https://itunes.apple.com/jp/reviews/id{ident + 7}"},
            "name": {"label": f"レビュアー{ident}"},
            "label": "",
        },
        "updated": {"label": updated},
        "im:rating": {"label": str(stars)},
        "im:version": {"label": "3.2.1"},
        "id": {"label": str(ident)},
        "title": {"label": title},
        "content": {"label": text, "attributes": {"type": "text"}},
        "link": {
            "attributes": {
                "rel": "related",
                "href": f"https://itunes.apple.com/jp/review?id={APP}&type=Purple%20Software",
            }
        },
        "im:voteSum": {"label": "0"},
        "im:contentType": {"attributes": {"term": "Application", "label": "アプリ"}},
        "im:voteCount": {"label": "2"},
    }


def page(*entries: dict[str, Any], single: bool = False) -> bytes:
    """One page of the feed; ``single`` writes one entry as an object, as Apple does."""
    feed: dict[str, Any] = {
        "author": {"name": {"label": "iTunes Store"}},
        "updated": {"label": "2024-05-03T01:00:00-07:00"},
        "title": {"label": "iTunes Store: カスタマーレビュー"},
        "link": [{"attributes": {"rel": "last", "href": "…/page=2/…"}}],
    }
    if entries:
        feed["entry"] = entries[0] if single and len(entries) == 1 else list(entries)
    return json.dumps({"feed": feed}, ensure_ascii=False).encode()


OLD = review(101, 4, "2024-05-01T10:00:00-07:00", "便利", "毎日使っています。")
BROKEN = review(
    102,
    1,
    "2024-05-02T09:00:00-07:00",
    "最悪",
    "アップデート後に起動しない。<!channel>",
)
NEWER = review(103, 2, "2024-05-02T20:00:00-07:00", "遅い", "同期がとても遅いです。")
NEWEST = review(104, 1, "2024-05-03T08:30:00-07:00", "課金", "返金してほしい。")


def feed_path(page_number: int) -> str:
    return f"/jp/rss/customerreviews/page={page_number}/id={APP}/sortby=mostrecent/json"


def run(database_url: str, api: ScriptedSite) -> dict[str, Any]:
    """One crawl of the app's Japanese reviews from the local feed."""
    return crawl(
        database_url,
        "ios",
        "",
        spider="appstore",
        politeness=FAST,
        app_id=APP,
        about="アクメ",
        api_url=api.url,
    )


def test_reviews_newest_first_then_only_newer_ones(scripted, sqlite_url):
    scripted.script(
        feed_path(1),
        Reply(page(NEWER, BROKEN), MISDECLARED),
        Reply(page(NEWER, BROKEN), MISDECLARED),
        Reply(page(NEWEST, NEWER), MISDECLARED),
    )
    scripted.script(feed_path(2), Reply(page(OLD, single=True), MISDECLARED))
    scripted.script(feed_path(3), Reply(page(), MISDECLARED))

    first = run(sqlite_url, scripted)
    assert first == {"seen": 3, "new": 3, "updated": 0, "error": None, "warning": None}
    old, broken, newer = mentions(sqlite_url, "ios")
    assert broken.external_id == f"jp/{APP}/102"
    assert broken.url == f"https://apps.apple.com/jp/app/id{APP}?see-all=reviews"
    assert broken.title == "最悪"
    assert broken.text == "アップデート後に起動しない。<!channel>"
    assert broken.author == "レビュアー102"
    assert (broken.rating, broken.rating_best) == (1, 5)
    assert broken.published_at == datetime(2024, 5, 2, 16, 0, tzinfo=UTC)
    assert broken.raw == {"stars": 1, "version": "3.2.1", "votes": 2}
    assert broken.site_name == "App Store"
    assert broken.language == "ja"
    assert [m.brand for m in broken.matches] == ["Acme"]
    assert old.rating == 4
    assert newer.published_at == datetime(2024, 5, 3, 3, 0, tzinfo=UTC)
    assert len(scripted.requests_for(feed_path(3))) == 1  # empty: the end

    again = run(sqlite_url, scripted)
    assert again["seen"] == 0
    assert len(scripted.requests_for(feed_path(2))) == 1  # page 1 reached back

    third = run(sqlite_url, scripted)
    assert third == {"seen": 1, "new": 1, "updated": 0, "error": None, "warning": None}
    assert len(mentions(sqlite_url, "ios")) == 4
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "ios") == {
            "newest": "2024-05-03T15:30:00+00:00",
            "ids": [f"jp/{APP}/104"],
        }
    sessions.kw["bind"].dispose()


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(b"Forbidden", "text/html", 403), "HTTP 403 from {url}"),
        (
            Reply(b"", "text/html", 429, {"Retry-After": "3600"}),
            "HTTP 429 from {url}",
        ),
        (
            Reply(b"<html>Service Unavailable</html>", "text/html"),
            "not an App Store feed at {url}: Expecting value: line 1 column 1 (char 0)",
        ),
        (
            Reply(b'{"error": 1}', "application/json"),
            'not an App Store feed at {url}: no "feed" object',
        ),
    ],
)
def test_refusals_and_broken_answers_fail_the_source(
    scripted, sqlite_url, reply, error
):
    url = scripted.script(feed_path(1), reply)
    result = run(sqlite_url, scripted)
    assert result["error"] == error.format(url=url)
    assert mentions(sqlite_url, "ios") == []


def undated(ident: int, title: str, text: str) -> dict[str, Any]:
    """A review as some real feeds write it: no ``updated`` at all."""
    entry = review(ident, 3, "", title, text)
    del entry["updated"]
    return entry


def test_undated_reviews_are_stored_with_a_warning_and_the_cursor_follows_ids(
    scripted, sqlite_url
):
    first_page = page(
        undated(205, "重い", "アクメのアプリが重い。"),
        undated(204, "普通", "普通です。"),
    )
    scripted.script(
        feed_path(1),
        Reply(first_page, MISDECLARED),
        Reply(first_page, MISDECLARED),
        Reply(
            page(
                undated(206, "直った", "アクメ、直りました。"),
                undated(205, "重い", "アクメのアプリが重い。"),
            ),
            MISDECLARED,
        ),
    )
    scripted.script(feed_path(2), Reply(page(), MISDECLARED))

    first = run(sqlite_url, scripted)
    url = scripted.url + feed_path(1)
    assert (first["seen"], first["new"]) == (2, 2)
    assert first["warning"] == (
        f"2 reviews at {url} without a date (no 'updated'): stored undated, "
        "the cursor follows review ids"
    )
    assert {m.published_at for m in mentions(sqlite_url, "ios")} == {None}
    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "ios") == {"newest": None, "ids": [], "last_id": 205}
    sessions.kw["bind"].dispose()

    again = run(sqlite_url, scripted)
    assert again["seen"] == 0
    assert len(scripted.requests_for(feed_path(2))) == 1  # not read again

    third = run(sqlite_url, scripted)
    assert (third["seen"], third["new"]) == (1, 1)


def test_a_review_from_the_year_2999_between_good_ones_is_stored_undated(
    scripted, sqlite_url
):
    poison = review(190, 1, "2999-01-01T00:00:00+09:00", "未来", "アクメは千年もつ")
    poison["im:rating"] = {"label": "五"}
    poison["im:voteCount"] = {"label": str(10**30)}
    scripted.script(
        feed_path(1),
        Reply(page(poison, NEWER, BROKEN), MISDECLARED),
        Reply(page(poison, NEWEST, NEWER, BROKEN), MISDECLARED),
    )
    scripted.script(feed_path(2), Reply(page(), MISDECLARED))
    first = run(sqlite_url, scripted)
    assert (first["new"], first["error"]) == (3, None)
    stored = {m.external_id: m for m in mentions(sqlite_url, "ios")}
    bad = stored[f"jp/{APP}/190"]
    assert (bad.text, bad.published_at, bad.rating) == ("アクメは千年もつ", None, None)
    assert bad.raw == {"stars": None, "version": "3.2.1", "votes": None}
    assert f"jp/{APP}/190: published_at: date 2998-12-31" in first["warning"]
    # The year 2999 is not the cursor: the next crawl stores the newer review.
    again = run(sqlite_url, scripted)
    assert (again["new"], again["error"]) == (1, None)
    assert f"jp/{APP}/104" in {m.external_id for m in mentions(sqlite_url, "ios")}
