"""A submission's comment tree: "load more comments" and deleted comments."""

from __future__ import annotations

from crawlers.match import BrandRule
from tests.crawlers.reddit.conftest import MakeCollector, stored
from tests.servers.reddit import RedditServer


def test_comment_tree_with_load_more(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, scenario = reddit_server.scenario("TestCommentForest.test_replace__all")
    reddit = collector(client_id, (BrandRule("Reddit", ("reddit",)),))
    outcome = reddit.collect_thread("3hahrw")
    assert outcome.error is None
    assert scenario.unmatched == []
    more = [r for _, r in scenario.requests if "morechildren" in r]
    assert len(more) == 12
    rows = stored(reddit)
    assert outcome.new == len(rows) > 0
    assert all(m.thread_id == "t3_3hahrw" for m in rows)


def test_deleted_comment_is_not_a_mention(
    reddit_server: RedditServer, collector: MakeCollector
) -> None:
    client_id, _ = reddit_server.scenario("TestComment.test_refresh__deleted_comment")
    reddit = collector(client_id, (BrandRule("Deleted", ("deleted",)),))
    outcome = reddit.collect_thread("52o2fl")
    assert outcome.error is None
    assert all(m.text not in {"[deleted]", "[removed]"} for m in stored(reddit))
    assert "t1_d7ltvl0" not in {m.external_id for m in stored(reddit)}
