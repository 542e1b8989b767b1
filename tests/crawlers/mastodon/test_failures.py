"""Mastodon failures: per instance, clear, never raised, rate limits obeyed."""

from __future__ import annotations

from tests.crawlers.mastodon.conftest import TOKEN, MakeCollector, access, stored
from tests.servers.mastodon import MastodonServer


def _name(url: str) -> str:
    return url.split("://")[1]


def test_a_refused_token_fails_that_instance_only(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    bad_url, _ = mastodon_server.instance(tokens=(TOKEN,))
    good_url, _ = mastodon_server.instance()
    outcome = mastodon_collector(
        access(bad_url, "revoked-token"), access(good_url), search=False
    ).poll()
    assert outcome.error == (
        f"mastodon source mastodon: {_name(bad_url)} refused the access token "
        "(HTTP 401: Unauthorized): check "
        "EARFUL_MASTODON_TOKEN_MSTDN_JP"
    )
    assert "revoked-token" not in outcome.error
    assert outcome.new == 4  # the other instance went on


def test_timelines_closed_to_guests_name_the_token_variable(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance(guests_read_timelines=False)
    outcome = mastodon_collector(access(url), search=False).poll()
    assert outcome.error == (
        f"mastodon source mastodon: {_name(url)} lets only signed-in users read "
        "this timeline: set EARFUL_MASTODON_TOKEN_MSTDN_JP to an access token"
    )


def test_a_used_up_rate_limit_pauses_the_instance_without_failing(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance(rate_limit=2)
    mastodon = mastodon_collector(access(url), search=False)
    first = mastodon.poll()  # instance info, then one timeline: remaining 0
    assert first.error is None
    assert first.new == 3  # the アクメ timeline was stored
    assert first.warning is not None
    assert "rate limit used up (X-RateLimit-Remaining: 0)" in first.warning
    second = mastodon.poll()
    assert second.error is None
    assert second.warning is not None
    assert "waiting" in second.warning
    assert len(instance.requests) == 2


def test_429_waits_for_the_reset(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance(rate_limit=0)
    mastodon = mastodon_collector(access(url), search=False)
    outcome = mastodon.poll()
    assert outcome.error is not None
    head = f"mastodon source mastodon: {_name(url)}: rate limited (HTTP 429), "
    assert outcome.error.startswith(head + "retrying after ")
    wait = int(outcome.error.removeprefix(head + "retrying after ").split()[0])
    assert 290 <= wait <= 301  # X-RateLimit-Reset is five minutes away
    assert mastodon.poll().error is not None  # before the reset: no request
    assert [r["path"] for r in instance.requests] == [
        "/api/v2/instance/",  # Mastodon.py's own look at the instance (refused too)
        "/api/v1/timelines/tag/アクメ",
    ]


def test_503_and_a_dropped_connection_back_off_then_recover(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance(faults=["503", "drop"])
    mastodon = mastodon_collector(access(url), search=False)
    first = mastodon.poll()
    assert first.error == (
        f"mastodon source mastodon: {_name(url)} unavailable (HTTP 503 Service "
        "Unavailable), retrying in 60 s"
    )
    mastodon.instances[0].backoff.resume_at = 0.0
    second = mastodon.poll()
    assert second.error == (
        f"mastodon source mastodon: {_name(url)} unavailable (connection failed), "
        "retrying in 120 s"
    )
    mastodon.instances[0].backoff.resume_at = 0.0
    third = mastodon.poll()
    assert (third.new, third.error) == (4, None)
    assert len(stored(mastodon)) == 4
