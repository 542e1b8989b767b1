"""Page ratings: a recommendation is a verdict like stars, stored on its own 0-1 scale."""

from __future__ import annotations

from storage.ratings import star_verdict, stars_of_five
from tests.crawlers.facebook.conftest import TOKEN, MakeCollector, stored
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer

NEGATIVE = "facebook:rating:9100000000000001"
POSITIVE = "facebook:rating:9100000000000002"
OLD_STARS = "facebook:rating:9100000000000003"


def test_recommendations_are_stored_as_verdicts(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, _ = facebook_app(graph_server, {TOKEN: "ok"})
    facebook = facebook_collector(url, comments=False, ratings=True)
    outcome = facebook.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (3, None, None)
    mentions = stored(facebook)
    bad = mentions[NEGATIVE]
    assert bad.text.startswith("アクメの掃除機、半年で吸引力がなくなった。")
    assert (bad.rating, bad.rating_best) == (0.0, 1.0)
    assert star_verdict(bad.rating, bad.rating_best) == "negative"
    assert stars_of_five(bad.rating, bad.rating_best) == 0.0  # max_rating rules fire
    assert bad.author is None  # Meta often leaves the reviewer out
    assert bad.raw is not None
    assert bad.raw["recommendation"] == "negative"
    good = mentions[POSITIVE]
    assert (good.rating, good.rating_best, good.author) == (1.0, 1.0, "佐藤 健")
    assert star_verdict(good.rating, good.rating_best) == "positive"
    assert [m.brand for m in good.matches] == ["Acme"]  # a review of the Page
    old = mentions[OLD_STARS]  # written before 2018: its stars are kept
    assert (old.rating, old.rating_best) == (2.0, 5.0)
    again = facebook.poll()
    assert (again.new, again.error) == (0, None)


def test_ratings_removed_from_the_api_version_warn_every_poll(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, _ = facebook_app(graph_server, {TOKEN: "ok"}, ratings_removed=True)
    facebook = facebook_collector(url, ratings=True)
    for _ in range(2):
        outcome = facebook.poll()
        assert outcome.error is None
        assert outcome.warning == (
            "ratings not read: Meta no longer serves Page ratings in this Graph API "
            "version (error (code 12): (#12) recommendations is deprecated for "
            "versions v22.0 and higher); comments are still read"
        )
    assert len(stored(facebook)) == 3  # the comments
