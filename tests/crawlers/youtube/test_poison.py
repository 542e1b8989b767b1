"""Poison comments between good ones: the good are stored, the poison reported, the poll moves on."""

from __future__ import annotations

from crawlers.poller import load_cursor
from tests.crawlers.conftest import ACME
from tests.crawlers.youtube.conftest import CHANNEL, MakeCollector, stored
from tests.servers.youtube import YouTubeServer


def test_poison_comments_between_good_ones_are_reported_and_passed(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL, search=False)
    youtube.poll()
    good = scenario.comment("acmeVid0002", "アクメのケトル最高", "2026-11-30T16:00:00Z")
    poison = scenario.comment(
        "acmeVid0002", "アクメは一万年後も動く", "9999-12-31T23:59:59-14:00"
    )
    scenario.threads[-1]["snippet"]["topLevelComment"]["snippet"]["likeCount"] = 10**30
    later = scenario.comment(
        "acmeVid0002", "アクメの保証が切れた", "2026-11-30T17:00:00Z"
    )
    outcome = youtube.poll()
    assert (outcome.new, outcome.error) == (3, None)
    mentions = stored(youtube)
    assert {good, poison, later} <= set(mentions)
    bad = mentions[poison]
    assert (bad.text, bad.published_at, bad.score) == (
        "アクメは一万年後も動く",
        None,
        None,
    )
    warning = outcome.warning or ""
    assert f"{poison}: published_at: date 9999-12-31" in warning
    assert f"{poison}: score {str(10**30)[:30]} is out of range" in warning
    # The poison date never becomes the place's newest: it would end every
    # later poll's reading at the first page.
    newest = load_cursor(youtube.sessions, "youtube")["newest"]
    assert all(not value.startswith("9999") for value in newest.values())
    scenario.comment("acmeVid0002", "アクメの新型、予約した", "2026-11-30T17:30:00Z")
    again = youtube.poll()  # the next poll reads on from past the poison
    assert (again.new, again.error) == (1, None)
