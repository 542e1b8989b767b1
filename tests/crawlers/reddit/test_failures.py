"""Reddit failures end a poll with a clear error, back off, and never raise."""

from __future__ import annotations

import pytest

from crawlers.match import BrandRule
from tests.crawlers.conftest import ACME
from tests.crawlers.reddit.conftest import MakeCollector, stored
from tests.servers.reddit import Fault, RedditServer

SIROCCO = BrandRule("Sirocco", ("sirocco",))
KAKAPO = "TestSubredditStreams.test_comments__with_pause"
STREAM = {"subreddits": ("kakapo",), "search": False, "stream_submissions": False}
ACMEJP = {"subreddits": ("acmejp",), "search": False, "stream_submissions": False}


def test_429_backs_off_for_retry_after(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(
        "acme_comment_stream",
        faults=(Fault("/r/acmejp/comments/", "too_many_requests"),),
    )
    reddit = collector(client_id, (ACME,), **ACMEJP)
    first = reddit.poll()
    assert first.error == (
        "reddit source reddit: rate limited by Reddit (HTTP 429), retrying after 4 s"
    )
    second = reddit.poll()  # inside the 4 s: no request at all
    assert second.error is not None
    assert second.error.startswith("backing off after Reddit errors")
    assert len(scenario.requests) == 1
    assert stored(reddit) == []


def test_503_is_retried_then_recorded_and_the_next_poll_recovers(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario(
        "acme_comment_stream",
        faults=(Fault("/r/acmejp/comments/", "service_unavailable", times=3),),
    )
    reddit = collector(client_id, (ACME,), **ACMEJP)
    failed = reddit.poll()
    assert failed.error == (
        "reddit source reddit: Reddit unavailable (HTTP 503), retrying in 60 s"
    )
    assert len(scenario.requests) == 3  # prawcore's own retries
    reddit.backoff.resume_at = 0.0  # the back-off has passed
    recovered = reddit.poll()
    assert (recovered.new, recovered.error) == (4, None)
    assert [m.external_id for m in stored(reddit)] == [
        "t1_kc0003",
        "t1_kc0004",
        "t1_kc0005",
        "t1_kc0006",
    ]


def test_missing_credentials_name_the_variables(collector: MakeCollector) -> None:
    outcome = collector(None, (ACME,), **ACMEJP).poll()
    assert outcome.error is not None
    assert "REDDIT_CLIENT_ID" in outcome.error
    assert "REDDIT_CLIENT_SECRET" in outcome.error
    assert "https://www.reddit.com/prefs/apps" in outcome.error


def test_wrong_credentials_401(collector: MakeCollector) -> None:
    outcome = collector("bad", (ACME,), **ACMEJP).poll()
    assert outcome.error == (
        "reddit source reddit: Reddit rejected the credentials (HTTP 401): check "
        "REDDIT_CLIENT_ID and REDDIT_CLIENT_SECRET "
        "(see https://www.reddit.com/prefs/apps)"
    )
    assert "not-a-secret" not in outcome.error


@pytest.mark.realdata
def test_real_429_backs_off_for_retry_after(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    cassette = (
        "prawcore/TestSession.test_request__too__many_requests__with_retry_headers"
    )
    client_id, scenario = reddit_server.scenario(
        KAKAPO, faults=(Fault("/r/kakapo/comments/", cassette),)
    )
    reddit = collector(client_id, (SIROCCO,), **STREAM)
    first = reddit.poll()
    assert first.error == (
        "reddit source reddit: rate limited by Reddit (HTTP 429), retrying after 4 s"
    )
    second = reddit.poll()  # inside the 4 s: no request at all
    assert second.error is not None
    assert second.error.startswith("backing off after Reddit errors")
    assert len(scenario.requests) == 1
    assert stored(reddit) == []


@pytest.mark.realdata
def test_real_503_is_retried_then_recorded_and_the_next_poll_recovers(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    cassette = "prawcore/TestSession.test_request__service_unavailable"
    client_id, scenario = reddit_server.scenario(
        KAKAPO, faults=(Fault("/r/kakapo/comments/", cassette, times=3),)
    )
    reddit = collector(client_id, (SIROCCO,), **STREAM)
    failed = reddit.poll()
    assert failed.error == (
        "reddit source reddit: Reddit unavailable (HTTP 503), retrying in 60 s"
    )
    assert len(scenario.requests) == 3  # prawcore's own retries
    reddit.backoff.resume_at = 0.0  # the back-off has passed
    recovered = reddit.poll()
    assert (recovered.new, recovered.error) == (1, None)
    assert [m.external_id for m in stored(reddit)] == ["t1_dfktga0"]
