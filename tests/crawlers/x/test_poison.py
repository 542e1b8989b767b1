"""A poison post between good ones: the good are stored, the poison reported, the poll moves on."""

from __future__ import annotations

from tests.crawlers.conftest import ACME
from tests.crawlers.x.conftest import MakeCollector, stored
from tests.servers.x import XServer

HANAKO = "1500000000000000001"


def test_a_poison_post_between_good_ones_is_reported_and_passed(
    x_server: XServer, x_collector: MakeCollector
) -> None:
    token, scenario = x_server.scenario()
    x = x_collector(token, (ACME,))
    x.poll()
    scenario.post("アクメの掃除機、静かで最高", HANAKO)
    poison = scenario.post(
        "アクメは一万年後も壊れない",
        HANAKO,
        created_at="9999-12-31T23:59:59-14:00",
        public_metrics={"like_count": 10**30, "reply_count": 10**30},
    )
    later = scenario.post("アクメのサポートに電話した", HANAKO)
    outcome = x.poll()
    assert (outcome.new, outcome.error) == (3, None)
    mentions = {m.external_id: m for m in stored(x)}
    assert {poison, later} <= set(mentions)
    bad = mentions[poison]
    assert (bad.text, bad.published_at, bad.score, bad.comments) == (
        "アクメは一万年後も壊れない",
        None,
        None,
        None,
    )
    warning = outcome.warning or ""
    assert f"{poison}: published_at: date 9999-12-31" in warning
    assert f"{poison}: score {str(10**30)[:30]} is out of range" in warning
    scenario.post("アクメの新製品、予約しました！", HANAKO)
    again = x.poll()  # the next poll reads on from past the poison
    assert (again.new, again.error) == (1, None)
    assert scenario.requests[-1]["since_id"] == later
