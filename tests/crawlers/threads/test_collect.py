"""Threads: replies to the brand's posts, mentions, keyword search and its limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.queries import get_cursor
from tests.crawlers.threads.conftest import NOW, TOKEN, MakeCollector, stored
from tests.servers.graph import GraphServer
from tests.servers.threads import ALL_PERMISSIONS, threads_app

COMPLAINT = "threads:18050000000000011"


def test_replies_and_mentions_are_stored(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    threads = threads_collector(url)
    outcome = threads.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (3, None, None)
    mentions = stored(threads)
    assert sorted(mentions) == [
        COMPLAINT,
        "threads:18050000000000012",  # the brand's reply, kept with no brand
        "threads:18050000000000101",  # the mention
    ]  # 「私もです」 answers a reply, not the post, and names no brand
    ja = mentions[COMPLAINT]
    assert ja.text == "注文して一週間、まだ届きません…問い合わせも繋がらない"
    assert ja.language == "ja"
    assert [m.brand for m in ja.matches] == ["Acme"]
    assert (ja.author, ja.thread_id) == ("@hanako.t", "threads:18050000000000001")
    assert ja.title == "冬の新作ケトルが発売されました"
    assert mentions["threads:18050000000000012"].matches == []
    assert {r["token_in_url"] for r in app.requests} == {"False"}


def test_deleted_replies_are_counted_and_old_posts_no_longer_read(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    threads = threads_collector(url, mentions=False)
    threads.poll()
    app.delete_reply("18050000000000013")
    app.reply("アクメのケトル、蓋が閉まらない")
    later = threads.poll()
    assert (later.new, later.counts["deleted"], later.error) == (1, 1, None)
    threads.now = lambda: NOW + timedelta(days=6)  # the post is over 7 days old
    threads.poll()
    assert app.requests[-1]["path"] == "25000000000000001/threads"


def test_mentions_resume_from_the_stored_cursor_after_a_restart(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    threads_collector(url, replies=False).poll()
    again = threads_collector(url, replies=False).poll()
    assert (again.new, again.error) == (0, None)
    with threads_collector(url).sessions() as session:
        cursor = get_cursor(session, "threads")
    assert cursor["mentions_newest"] == "2026-12-01T08:00:00+00:00"
    assert app.requests[-1]["path"] == "25000000000000001/mentions"


def test_keyword_search_counts_its_queries_and_searches_on_from_the_newest(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    threads = threads_collector(url, replies=False, mentions=False, search=True)
    outcome = threads.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (2, None, None)
    assert stored(threads)["threads:18050000000000201"].text == (
        "アクメの電子レンジ、三ヶ月で故障。保証外と言われた"
    )
    assert app.searches == ["acme", "アクメ"]
    with threads.sessions() as session:
        cursor = get_cursor(session, "threads")
    assert cursor["quota"] == {
        "day": "2026-12-03",
        "used": 2,
        "budget": 2200,
        "unit": "keyword searches in 24 hours",
    }
    threads.poll()  # from the newest found: nothing new, so nothing counted
    assert app.searches == ["acme", "アクメ"]
    newest = [datetime(2026, 12, 1, h, tzinfo=UTC).timestamp() + 1 for h in (10, 9)]
    assert [r["since"] for r in app.requests[-2:]] == [str(int(t)) for t in newest]


def test_keyword_search_without_approval_says_it_finds_only_own_posts(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, _ = threads_app(graph_server, {TOKEN: "ok"}, search_approved=False)
    threads = threads_collector(url, replies=False, mentions=False, search=True)
    outcome = threads.poll()
    assert (outcome.new, outcome.error) == (0, None)
    assert outcome.warning == (
        "keyword search has found only the account's own posts so far: until Meta "
        "approves the threads_keyword_search permission, Threads searches only them; "
        "replies and mentions still run"
    )


def test_keyword_search_refused_is_said_every_poll(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, _ = threads_app(
        graph_server,
        {TOKEN: "ok"},
        permissions=ALL_PERMISSIONS - {"threads_keyword_search"},
    )
    threads = threads_collector(url, search=True)
    for _ in range(2):
        outcome = threads.poll()
        assert outcome.error is None
        assert outcome.warning == (
            "keyword search refused (permission missing (code 10): (#10) Application "
            "does not have permission for this action (threads_keyword_search)): it "
            "needs the threads_keyword_search permission, approved in app review; "
            "replies and mentions still run"
        )
    assert len(stored(threads)) == 3  # replies and mentions went on


def test_a_search_budget_spent_pauses_the_search(
    graph_server: GraphServer, threads_collector: MakeCollector
) -> None:
    url, app = threads_app(graph_server, {TOKEN: "ok"})
    threads = threads_collector(
        url, replies=False, mentions=False, search=True, search_budget=1
    )
    outcome = threads.poll()
    assert outcome.error is None
    assert outcome.warning == (
        "keyword search paused: 1 of 1 queries used in the last 24 hours (Threads "
        "allows 2,200 a user)"
    )
    assert app.searches == ["acme"]
    threads.now = lambda: NOW + timedelta(hours=25)
    threads.poll()
    assert app.searches == ["acme", "アクメ"]
