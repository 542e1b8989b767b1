"""Facebook Pages: comments and replies under the Page's posts, edits, deletions, cursors."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.crawlers.facebook.conftest import POST, TOKEN, MakeCollector, stored
from tests.servers.facebook import facebook_app
from tests.servers.graph import GraphServer

COMPLAINT = "facebook:comment:122100000000000001_1111111111111111"
LATER = datetime(2026, 12, 10, tzinfo=UTC)  # the posts are over two days old


def test_comments_and_replies_under_the_pages_posts_are_stored(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, app = facebook_app(graph_server, {TOKEN: "ok"})
    facebook = facebook_collector(url)
    outcome = facebook.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (3, None, None)
    mentions = stored(facebook)
    ja = mentions[COMPLAINT]
    assert ja.text == "注文したのに発送まで二週間。問い合わせても返事がない"
    assert ja.language == "ja"
    assert [m.brand for m in ja.matches] == ["Acme"]  # under the Page's own post
    assert (ja.author, ja.score, ja.comments) == ("山田 花子", 14, 1)
    assert ja.title == "年末セールのお知らせ：全品20%オフ"
    assert ja.thread_id == f"facebook:post:{POST}"
    reply = mentions["facebook:comment:122100000000000001_1111111111111122"]
    assert (reply.author, reply.matches) == ("アクメ", [])  # the Page answering
    assert reply.parent_id == COMPLAINT
    anonymous = mentions["facebook:comment:122100000000000001_1111111111111133"]
    assert anonymous.author is None  # Facebook leaves out who did not allow it
    comment_reads = [r for r in app.requests if r["path"].endswith("/comments")]
    assert [(r["path"], r["filter"], r["order"]) for r in comment_reads] == [
        (f"{POST}/comments", "stream", "reverse_chronological")
    ]  # the post without comments is not read
    assert {r["token_in_url"] for r in app.requests} == {"False"}


def test_edits_update_and_deletions_are_counted(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, app = facebook_app(graph_server, {TOKEN: "ok"})
    facebook = facebook_collector(url)
    facebook.now = lambda: LATER
    facebook.poll()
    quiet = facebook.poll()  # no count changed: no comment is read
    assert (quiet.new, quiet.updated, quiet.error) == (0, 0, None)
    assert app.requests[-1]["path"] == "104857600000001/posts"
    app.edit(
        POST,
        "122100000000000001_1111111111111111",
        "アクメ、結局届かないので返金を求めます",
    )
    app.delete(POST, "122100000000000001_1111111111111133")
    app.comment(POST, "アクメのセール、サイトが重くて買えなかった")
    app.comment(POST, "同じく")
    later = facebook.poll()
    assert (later.new, later.updated, later.counts["deleted"], later.error) == (
        2,
        1,
        1,
        None,
    )
    assert stored(facebook)[COMPLAINT].text == "アクメ、結局届かないので返金を求めます"


def test_a_restart_resumes_from_the_stored_cursor(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, app = facebook_app(graph_server, {TOKEN: "ok"})
    first = facebook_collector(url)
    first.now = lambda: LATER
    first.poll()
    restarted = facebook_collector(url)
    restarted.now = lambda: LATER
    again = restarted.poll()
    assert (again.new, again.error) == (0, None)
    assert [r["path"] for r in app.requests[-2:]] == [
        "104857600000001",
        "104857600000001/posts",
    ]


def test_paging_reads_past_the_first_hundred(
    graph_server: GraphServer, facebook_collector: MakeCollector
) -> None:
    url, app = facebook_app(graph_server, {TOKEN: "ok"})
    for n in range(120):
        app.comment(POST, f"アクメ セール {n}")
    outcome = facebook_collector(url).poll()
    assert (outcome.new, outcome.error) == (123, None)
    reads = [r for r in app.requests if r["path"] == f"{POST}/comments"]
    assert len(reads) == 2
    assert "after" in reads[1]
