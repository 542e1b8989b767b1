"""Instagram failures: tokens named never shown, Meta's usage obeyed, servers down."""

from __future__ import annotations

import pytest

from tests.crawlers.instagram.conftest import TOKEN, MakeCollector, stored
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app


def test_an_unset_token_names_its_variable(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    outcome = instagram_collector(url, token=None).poll()
    assert outcome.error == (
        "instagram source instagram: the access token is not set: set "
        "EARFUL_INSTAGRAM_TOKEN"
    )
    assert app.requests == []


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (None, "code 190): Invalid OAuth access token - Cannot parse access token"),
        ("expired", "code 190, subcode 463): Error validating access token: Session"),
    ],
)
def test_a_refused_or_expired_token_fails_the_run_without_showing_it(
    graph_server: GraphServer,
    instagram_collector: MakeCollector,
    state: str | None,
    said: str,
) -> None:
    tokens = {TOKEN: "ok"} if state is None else {"EAAG-old-token": state}
    url, _ = instagram_app(graph_server, tokens)
    outcome = instagram_collector(url, token="EAAG-old-token").poll()  # noqa: S106 - a test token, a variable name
    assert outcome.error is not None
    assert outcome.error.startswith(
        f"instagram source instagram: the access token was refused ({said}"
    )
    assert outcome.error.endswith("; check EARFUL_INSTAGRAM_TOKEN")
    assert "EAAG-old-token" not in outcome.error


def test_usage_near_the_allowance_pauses_the_source_without_failing(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"}, allowance=20, used=16)
    instagram = instagram_collector(url)
    first = instagram.poll()  # 17, 18 (90 %): the next call is not made
    assert first.error is None
    assert first.warning == (
        "paused: X-Business-Use-Case-Usage 17841405822304914 instagram call_count "
        "at 90% (pausing at 90%), next requests in 600 s"
    )
    assert len(app.requests) == 2
    second = instagram.poll()
    assert second.error is None
    assert second.warning is not None
    assert second.warning.startswith("waiting 600 s for Meta's rate limit to reset")
    assert len(app.requests) == 2


def test_throttled_by_meta_waits_the_time_it_gives(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(
        graph_server, {TOKEN: "ok"}, allowance=1000, used=1000, regain_minutes=12
    )
    outcome = instagram_collector(url).poll()
    assert outcome.error == (
        "instagram source instagram: rate limited (code 80002): There have been too "
        "many calls from this account. Wait a bit and try again.; retrying in 720 s"
    )
    assert len(app.requests) == 1


@pytest.mark.parametrize(
    ("fault", "said"), [("503", "HTTP 503"), ("drop", "RemoteProtocolError")]
)
def test_an_unavailable_api_backs_off_and_the_next_poll_goes_on(
    graph_server: GraphServer,
    instagram_collector: MakeCollector,
    fault: str,
    said: str,
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    app.faults = ["ok", "ok", fault]  # the account, the media list, then comments
    instagram = instagram_collector(url)
    outcome = instagram.poll()
    assert outcome.error == (
        f"instagram source instagram: unavailable ({said}); retrying in 60 s"
    )
    instagram.backoff.wait_for(0)
    again = instagram.poll()
    assert (again.error, again.new) == (None, 5)
    assert len(stored(instagram)) == 5
