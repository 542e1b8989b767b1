"""Instagram's 30 unique hashtags per 7 days: counted, kept across restarts, shown."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from crawlers.instagram import HashtagLedger
from earful.cli import main
from storage.queries import finish_crawl_run, get_cursor, start_crawl_run
from tests.crawlers.instagram.conftest import TOKEN, MakeCollector
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_a_hashtag_counts_for_seven_days_from_its_first_query() -> None:
    ledger = HashtagLedger.load(
        {
            "アクメ": (NOW - timedelta(days=6, hours=23)).isoformat(),
            "acme": (NOW - timedelta(days=7)).isoformat(),
        },
        30,
        NOW,
    )
    assert set(ledger.first_queried) == {"アクメ"}  # acme's week is over
    ledger.count("#Acme")
    ledger.count("アクメ")  # already counted: its week does not restart
    assert ledger.first_queried["アクメ"] == NOW - timedelta(days=6, hours=23)
    assert ledger.quota() == {
        "day": "2026-12-01",
        "used": 2,
        "budget": 30,
        "unit": "hashtags in 7 days",
    }


def test_a_hashtag_past_the_budget_is_not_queried(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(
        url, comments=False, tags=False, hashtags=("アクメ", "acme"), hashtag_budget=1
    )
    instagram.now = lambda: NOW
    outcome = instagram.poll()
    assert (outcome.error, outcome.new) == (None, 2)  # not a failure: the budget held
    assert outcome.warning == (
        "#acme not read: 1 of 1 unique hashtags already queried in the last 7 days "
        "(Instagram's limit is 30); the next frees up 2026-12-08 09:00 UTC"
    )
    assert app.hashtags_queried == ["アクメ"]
    with instagram.sessions() as session:
        cursor = get_cursor(session, "instagram")
    assert cursor["quota"] == {
        "day": "2026-12-01",
        "used": 1,
        "budget": 1,
        "unit": "hashtags in 7 days",
    }
    assert cursor["hashtags_queried"] == {"アクメ": NOW.isoformat()}
    # A restart reads the count back; a week later the hashtag has left it.
    restarted = instagram_collector(
        url, comments=False, tags=False, hashtags=("acme",), hashtag_budget=1
    )
    restarted.now = lambda: NOW + timedelta(days=1)
    assert restarted.poll().warning is not None
    restarted.now = lambda: NOW + timedelta(days=7)
    week_later = restarted.poll()
    assert (week_later.error, week_later.warning) == (None, None)
    assert app.hashtags_queried == ["アクメ", "acme"]


def test_status_shows_the_hashtags_used_of_the_budget(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, _ = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(
        url, comments=False, tags=False, hashtags=("アクメ",)
    )
    outcome = instagram.poll()
    with instagram.sessions.begin() as session:  # what the pipeline records
        run = start_crawl_run(session, "instagram")
        finish_crawl_run(run, seen=outcome.seen, new=outcome.new)
    database = str(instagram.sessions.kw["bind"].url.render_as_string(False))
    result = CliRunner().invoke(
        main, ["status", "--database-url", database, "--format", "json"]
    )
    (source,) = json.loads(result.output)["sources"]
    today = datetime.now(UTC).date().isoformat()
    assert source["quota"] == {
        "day": today,
        "used": 1,
        "budget": 30,
        "unit": "hashtags in 7 days",
    }
    text = CliRunner().invoke(main, ["status", "--database-url", database])
    assert (
        f"  instagram: quota: 1 of 30 hashtags in 7 days used on {today}"
        in text.output.splitlines()
    )
