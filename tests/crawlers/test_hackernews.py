"""The Hacker News spider against Algolia answers served locally.

The answers in ``tests/fixtures/hackernews`` are the team's own, in the shape
of the Algolia HN Search API; tests marked ``realdata`` use recorded ones.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers.match import BrandRule
from storage import open_database
from storage.queries import get_cursor
from tests.crawlers.conftest import ACME, crawl, mentions

APPLE = BrandRule("Apple", ("apple",))
STARBUCKS = BrandRule("Starbucks", ("starbucks",))


GLOBEX = BrandRule("Globex", ("globex",))


def test_stories_and_comments_then_only_newer_ones(site, sqlite_url):
    api = f"{site.url}/hn/api/v1"
    args = {"query": "acme", "api_url": api}
    first = crawl(sqlite_url, "hn", api, [ACME, GLOBEX], spider="hackernews", **args)
    assert first == {"seen": 2, "new": 2, "updated": 0, "error": None, "warning": None}
    comment, story = mentions(sqlite_url, "hn")  # objectIDs 44190418 < 44190424
    assert story.external_id == "44190424"
    assert story.title == "Acme recalls 40,000 Blender 3000 jugs over cracked lids"
    assert story.author == "kitchen_watch"
    assert story.published_at == datetime(2026, 6, 20, 3, 35, 46, tzinfo=UTC)
    assert story.url == "https://news.ycombinator.com/item?id=44190424"
    assert (
        story.raw["link"] == "https://news.example/2026/06/19/acme-recall-blender-jugs"
    )
    assert [m.brand for m in story.matches] == ["Acme"]
    assert comment.external_id == "44190418"
    assert comment.author == "lid_skeptic"
    assert comment.parent_id == "44190290"
    assert comment.thread_id == "44189547"
    assert comment.top_level is False
    assert comment.text.startswith("The recall notice reads like an acmeology lecture.")
    assert "Globex's blender" in comment.text
    assert "&#x27;" not in comment.text
    assert "<p>" not in comment.text
    # Algolia matched "acmeology"; whole-word matching does not.
    assert [m.brand for m in comment.matches] == ["Globex"]

    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "hn") == {
            "created_at_i": {"story": 1781926546, "comment": 1781926354}
        }
    sessions.kw["bind"].dispose()
    second = crawl(
        sqlite_url, "hn", api, [ACME, GLOBEX], spider="hackernews", counts=True, **args
    )
    assert second["seen"] == 0
    # No new hits is a quiet day for a search, not an empty (broken) page.
    assert (second["pages"], second["extracted"], second["warning"]) == (0, 0, None)
    searches = [path for path, _ in site.requests if "query=acme" in path]
    last_two = " ".join(searches[-2:])
    assert "numericFilters=created_at_i%3E1781926546" in last_two
    assert "numericFilters=created_at_i%3E1781926354" in last_two


@pytest.mark.realdata
def test_real_stories_and_comments_then_only_newer_ones(site, sqlite_url):
    api = f"{site.url}/hn/api/v1"
    args = {"query": "apple", "api_url": api}
    first = crawl(
        sqlite_url, "hn", api, [APPLE, STARBUCKS], spider="hackernews", **args
    )
    assert first == {"seen": 2, "new": 2, "updated": 0, "error": None, "warning": None}
    comment, story = mentions(sqlite_url, "hn")  # objectIDs 7919418 < 7919424
    assert story.external_id == "7919424"
    assert story.title == "Judge says concerned about Apple, Google hiring settlement"
    assert story.author == "bradleyjg"
    assert story.published_at == datetime(2014, 6, 20, 3, 35, 46, tzinfo=UTC)
    assert story.url == "https://news.ycombinator.com/item?id=7919424"
    assert story.raw["link"].startswith("http://in.reuters.com/article/2014/06/19/")
    assert [m.brand for m in story.matches] == ["Apple"]
    assert comment.external_id == "7919418"
    assert comment.author == "fleitz"
    assert comment.parent_id == "7919290"
    assert comment.thread_id == "7918547"
    assert comment.top_level is False
    assert comment.text.startswith("Yeah the article seems stupid")
    assert "&#x27;" not in comment.text
    assert "<p>" not in comment.text
    # Algolia matched "applauded"; whole-word matching does not.
    assert [m.brand for m in comment.matches] == ["Starbucks"]

    sessions = open_database(sqlite_url)
    with sessions() as session:
        assert get_cursor(session, "hn") == {
            "created_at_i": {"story": 1403235346, "comment": 1403235154}
        }
    sessions.kw["bind"].dispose()
    second = crawl(
        sqlite_url,
        "hn",
        api,
        [APPLE, STARBUCKS],
        spider="hackernews",
        counts=True,
        **args,
    )
    assert second["seen"] == 0
    # No new hits is a quiet day for a search, not an empty (broken) page.
    assert (second["pages"], second["extracted"], second["warning"]) == (0, 0, None)
    searches = [path for path, _ in site.requests if "query=apple" in path]
    last_two = " ".join(searches[-2:])
    assert "numericFilters=created_at_i%3E1403235346" in last_two
    assert "numericFilters=created_at_i%3E1403235154" in last_two


def test_an_api_error_is_recorded(site, sqlite_url):
    api = f"{site.url}/hn/api/v1"
    result = crawl(
        sqlite_url,
        "hn",
        api,
        [APPLE],
        spider="hackernews",
        query="nothing",
        api_url=api,
    )
    assert result["error"].startswith("HTTP 400 from ")


def test_a_poison_hit_between_good_ones_is_stored_undated_and_the_cursor_moves_on(
    site, sqlite_url
):
    api = f"{site.url}/hn/api/v1"
    args = {"query": "poison", "api_url": api}
    first = crawl(sqlite_url, "hn", api, [ACME], spider="hackernews", **args)
    assert (first["seen"], first["new"], first["error"]) == (3, 3, None)
    assert first["warning"] == (
        "44190502: created_at_i 99999999999 is absurd; stored undated\n"
        "44190502: score 100000000000000000000 is out of range"
    )
    by_id = {m.external_id: m for m in mentions(sqlite_url, "hn")}
    assert (by_id["44190502"].published_at, by_id["44190502"].score) == (None, None)
    assert by_id["44190503"].published_at == datetime(
        2026, 6, 20, 3, 36, 40, tzinfo=UTC
    )
    sessions = open_database(sqlite_url)
    with sessions() as session:  # the poison's 99999999999 never becomes the cursor
        cursor = get_cursor(session, "hn")
        assert cursor["created_at_i"]["story"] == 1781926600
    sessions.kw["bind"].dispose()
    second = crawl(sqlite_url, "hn", api, [ACME], spider="hackernews", **args)
    assert (second["new"], second["error"]) == (0, None)
