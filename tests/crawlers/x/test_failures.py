"""X failures end a poll with a clear error, wait for the reset, and never raise."""

from __future__ import annotations

from crawlers.match import BrandRule, Matcher
from crawlers.x import XCredentials, XSource, newest_items
from tests.crawlers.conftest import ACME
from tests.crawlers.x.conftest import MakeCollector, stored
from tests.servers.x import Fault, XServer


def test_missing_token_names_the_variable(x_collector: MakeCollector) -> None:
    outcome = x_collector(None, (ACME,)).poll()
    assert outcome.error == (
        "x source x: X bearer token missing: set EARFUL_X_BEARER_TOKEN to the "
        "app's bearer token (see https://developer.x.com/en/portal/dashboard)"
    )


def test_a_refused_token_is_401_and_never_echoed(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    outcome = x_collector("AAAArevoked", (ACME,)).poll()
    assert outcome.error == (
        "x source x: X rejected the bearer token (HTTP 401 Unauthorized): check "
        "EARFUL_X_BEARER_TOKEN"
    )
    assert "AAAArevoked" not in outcome.error


def test_429_waits_for_the_rate_limit_reset(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario(faults=(Fault("429", reset_in=120),))
    x = x_collector(token, (ACME,))
    first = x.poll()
    assert first.error is not None
    assert first.error.startswith(
        "x source x: rate limited by X (HTTP 429), retrying after 1"
    )
    second = x.poll()  # before the reset: no request at all
    assert second.error is not None
    assert "backing off after X errors" in second.error
    assert len(scenario.requests) == 1
    x.backoff.resume_at = 0.0  # the reset has passed
    third = x.poll()
    assert (third.new, third.error) == (3, None)


def test_a_used_up_limit_pauses_without_failing(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario(faults=(Fault("exhaust"),))
    x = x_collector(token, (ACME,))
    first = x.poll()
    assert (first.new, first.error) == (3, None)  # the answer is stored
    assert first.warning is not None
    assert "X's rate limit is used up until its reset" in first.warning
    second = x.poll()
    assert second.error is None
    assert second.warning is not None
    assert second.warning.startswith("waiting for X's rate limit to reset")
    assert len(scenario.requests) == 1


def test_503_and_a_dropped_connection_back_off_then_recover(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, _ = x_server.scenario(faults=(Fault("503"), Fault("drop")))
    x = x_collector(token, (ACME,))
    first = x.poll()
    assert first.error == (
        "x source x: X unavailable (HTTP 503 Service Unavailable), retrying in 60 s"
    )
    x.backoff.resume_at = 0.0
    second = x.poll()
    assert second.error is not None
    assert second.error.startswith("x source x: X connection failed")
    assert second.error.endswith("retrying in 120 s")
    x.backoff.resume_at = 0.0
    third = x.poll()
    assert (third.new, third.error) == (3, None)
    assert len(stored(x)) == 3


def test_newest_items_for_source_check(x_server: XServer) -> None:
    token, _ = x_server.scenario()
    items = newest_items(
        XCredentials(bearer_token=token, api_url=x_server.url),
        XSource(name="x", type="x"),
        Matcher((ACME,)),
        limit=2,
    )
    assert [i.external_id for i in items] == [
        "1864000000000000105",
        "1864000000000000102",
    ]


def test_a_brand_too_long_for_x_fails_the_run_but_not_the_others(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    too_long = BrandRule("Long", ("x" * 600,))
    x = x_collector(token, (too_long, ACME))
    outcome = x.poll()
    assert outcome.new == 3  # Acme was searched
    assert outcome.error is not None
    assert outcome.error.startswith(
        "x source x: brand 'Long': a part of its rule is longer than X's "
        "512-character query limit"
    )
    assert len(scenario.requests) == 1


def test_a_since_id_older_than_seven_days_is_dropped_not_a_failure_forever(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    x.poll()  # since_id is now 1864000000000000105
    scenario.window_start = 1864000000000000500  # the daemon was down a week
    scenario.post("アクメ、また値上げ", "1500000000000000001")
    outcome = x.poll()
    assert (outcome.new, outcome.error) == (1, None)
    assert outcome.warning is not None
    assert outcome.warning.splitlines()[0] == (
        'the last post seen for \'(acme OR "アクメ") -"acme corp" -is:retweet\' is '
        "older than recent search's 7 days: reading from the newest again (posts "
        "in between are lost)"
    )
    assert "since_id" not in scenario.requests[-1]
    assert x.poll().warning is None  # the new since_id is inside the window
