"""Facebook Pages failures: the token's variable named, Page throttling obeyed."""

from __future__ import annotations

from tests.crawlers.facebook.conftest import TOKEN, MakeCollector
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer


def test_an_expired_page_token_fails_the_run_naming_its_variable(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, _ = facebook_app(graph_server, {TOKEN: "expired"})
    outcome = facebook_collector(url).poll()
    assert outcome.error is not None
    assert outcome.error.startswith(
        "facebook source facebook: the access token was refused (code 190, "
        "subcode 463): Error validating access token: Session has expired"
    )
    assert outcome.error.endswith("; check EARFUL_FACEBOOK_PAGE_TOKEN")
    assert TOKEN not in outcome.error


def test_page_throttling_waits_the_time_meta_gives(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, app = facebook_app(
        graph_server, {TOKEN: "ok"}, allowance=1000, used=1000, regain_minutes=5
    )
    facebook = facebook_collector(url)
    outcome = facebook.poll()
    assert outcome.error == (
        "facebook source facebook: rate limited (code 32): There have been too many "
        "calls from this account. Wait a bit and try again.; retrying in 300 s"
    )
    blocked = facebook.poll()
    assert blocked.error is not None
    assert blocked.error.startswith(
        "facebook source facebook: backing off after errors: waiting 300 s"
    )
    assert len(app.requests) == 1
