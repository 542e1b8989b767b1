"""A poison comment between good ones: the good are stored, the poison reported."""

from __future__ import annotations

from tests.crawlers.instagram.conftest import MEDIA, TOKEN, MakeCollector, stored
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app


def test_a_poison_comment_between_good_ones_is_reported_and_passed(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    app.comment(MEDIA, "アクメ 1")
    poison = app.comment(MEDIA, "アクメ from year 9999")
    app.comment(MEDIA, "アクメ 2")
    comments = app.media[0]["comments"]
    [bad] = [c for c in comments if c["id"] == poison]
    bad |= {"timestamp": "9999-12-31T23:59:59-1400", "like_count": 10**20}
    comments.insert(1, ["not", "a", "comment"])  # type: ignore[arg-type]
    instagram = instagram_collector(url, tags=False)
    outcome = instagram.poll()
    assert outcome.error is None
    texts = {m.text for m in stored(instagram).values()}
    assert {"アクメ 1", "アクメ 2", "アクメ from year 9999"} <= texts
    [kept] = [m for m in stored(instagram).values() if "9999" in m.text]
    assert (kept.published_at, kept.score) == (None, None)
    warning = outcome.warning or ""
    assert "score 100000000000000000000 is out of range" in warning
    assert "skipped: comment_item: unreadable item: TypeError" in warning
