"""A crawl run is always finished, whatever the collector raises, for every kind.

The collector's own entry point is made to raise (an uncaught bug in it, as
the Bluesky ``OverflowError`` was): the run must end ``failed`` with the
exception as its error, with no ``running`` row left behind and no second row.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

import crawlers.crawl_parent
from crawlers.bluesky import JetstreamCollector
from crawlers.facebook import FacebookCollector
from crawlers.instagram import InstagramCollector
from crawlers.mastodon import MastodonCollector
from crawlers.reddit import RedditCollector
from crawlers.threads import ThreadsCollector
from crawlers.tiktok import TikTokCollector
from crawlers.x import XCollector
from crawlers.youtube import YouTubeCollector
from earful.config import parse_config
from earful.pipeline import Pipeline
from storage import CrawlRun

KINDS = {
    "feed": (
        {"url": "http://127.0.0.1:9/feed.xml"},
        crawlers.crawl_parent,
        "run_child",
    ),
    "reddit": ({"subreddits": ["acme"]}, RedditCollector, "poll"),
    "x": ({}, XCollector, "poll"),
    "youtube": ({"search": True}, YouTubeCollector, "poll"),
    "mastodon": (
        {"instances": ["https://mastodon.example"]},
        MastodonCollector,
        "poll",
    ),
    "bluesky": (
        {"jetstream_url": "ws://127.0.0.1:9/subscribe"},
        JetstreamCollector,
        "listen",
    ),
    "instagram": ({"user_id": "17841405822304914"}, InstagramCollector, "poll"),
    "facebook": ({"page_id": "104857600000001"}, FacebookCollector, "poll"),
    "threads": ({"user_id": "25000000000000001"}, ThreadsCollector, "poll"),
    "tiktok": ({"business_id": "-000AcmeJp"}, TikTokCollector, "poll"),
}


def _crash(*_args: object, **_kwargs: object) -> None:
    msg = "year 10000 is out of range\nsecond line"
    raise OverflowError(msg)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_collector_that_raises_finishes_its_run_as_failed(
    kind, sqlite_url, monkeypatch
):
    settings, owner, name = KINDS[kind]
    monkeypatch.setattr(owner, name, _crash)
    config = parse_config(
        {
            "database_url": sqlite_url,
            "brands": [{"name": "Acme", "terms": ["acme", "アクメ"]}],
            "sources": [{"name": "src", "type": kind, **settings}],
        },
        environ=False,
    )
    pipeline = Pipeline(config)
    [source] = pipeline.enabled_sources()
    outcome = pipeline.collect(source, once=True)
    error = "collector failed: OverflowError: year 10000 is out of range"
    assert outcome.error == error
    with pipeline.sessions() as session:
        [run] = session.scalars(select(CrawlRun))
        assert (run.source, run.status, run.error) == ("src", "failed", error)
        assert run.finished_at is not None
    pipeline.close()
