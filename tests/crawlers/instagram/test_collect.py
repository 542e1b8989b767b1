"""Instagram: comments under the brand's media, tagged media, hashtags, cursors."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.queries import get_cursor
from tests.crawlers.instagram.conftest import (
    MEDIA,
    TOKEN,
    MakeCollector,
    stored,
)
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app

COMPLAINT = "instagram:comment:17870913679156914"
TAGGED = "instagram:media:18023456789012345"


def test_comments_and_replies_under_the_brands_media_are_stored(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(url, tags=False)
    outcome = instagram.poll()
    assert (outcome.error, outcome.warning) == (None, None)
    mentions = stored(instagram)
    assert sorted(mentions) == [
        COMPLAINT,
        "instagram:comment:17870913679156990",  # the brand's own reply, no brand
        "instagram:comment:17870913679157001",
    ]  # 「私のも同じ症状です…」 answers a comment, not the post, and names no brand
    ja = mentions[COMPLAINT]
    assert ja.text == "届いたその日に壊れました。返品の連絡もつかないです"
    assert ja.language == "ja"
    assert [m.brand for m in ja.matches] == ["Acme"]  # about the brand's own post
    assert (ja.author, ja.score, ja.site_name) == ("@hanako_0312", 41, "Instagram")
    assert ja.url == "https://www.instagram.com/p/DCx1aAAyZ9k/"
    assert ja.title == "新しいブレンダー、本日発売です✨ #アクメ"
    assert ja.thread_id == f"instagram:media:{MEDIA}"
    assert ja.published_at is not None
    assert ja.published_at.isoformat().startswith("2026-11-30T12:31:05")
    own = mentions["instagram:comment:17870913679156990"]
    assert own.matches == []  # the brand answering, kept for the thread
    assert own.parent_id == "instagram:comment:17870913679156914"
    assert mentions["instagram:comment:17870913679157001"].text == (
        "Love the color! <b>Ordering</b> one for my mom & dad"
    )  # stored as written: escaping is for where it is shown
    paths = [r["path"] for r in app.requests]
    assert paths == [
        "17841405822304914",
        "17841405822304914/media",
        f"{MEDIA}/comments",  # the other media has no comments: not read
    ]
    assert {r["token_in_url"] for r in app.requests} == {"False"}


def test_only_media_whose_comment_count_changed_are_read_again(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(url, tags=False)
    instagram.now = lambda: datetime(2026, 12, 5, tzinfo=UTC)
    instagram.poll()
    quiet = instagram.poll()
    assert (quiet.new, quiet.error) == (0, None)
    assert [r["path"] for r in app.requests][-1] == "17841405822304914/media"
    app.comment(MEDIA, "アクメの問い合わせ窓口、三日待っても返事なし")
    app.delete_comment(MEDIA, "17870913679157001")
    same_count = instagram.poll()  # one added, one deleted: the count is the same
    assert same_count.new == 0
    app.comment(MEDIA, "アクメの交換品も同じ不具合でした")
    later = instagram.poll()
    assert (later.new, later.counts["deleted"], later.error) == (2, 1, None)
    assert len(stored(instagram)) == 5  # the deleted comment's mention stays


def test_comments_on_media_posted_in_the_last_two_days_are_read_every_poll(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(url, tags=False)
    instagram.now = lambda: datetime(2026, 12, 1, 9, tzinfo=UTC)
    instagram.poll()
    app.comment(MEDIA, "アクメの問い合わせ窓口、三日待っても返事なし")
    app.delete_comment(MEDIA, "17870913679157001")
    later = instagram.poll()
    assert (later.new, later.counts["deleted"], later.error) == (1, 1, None)


def test_a_restart_resumes_from_the_stored_cursor(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram_collector(url).poll()
    restarted = instagram_collector(url)  # a new process: only the database
    again = restarted.poll()
    assert (again.new, again.error) == (0, None)
    assert [r["path"] for r in app.requests[-3:]] == [
        "17841405822304914",
        "17841405822304914/media",
        "17841405822304914/tags",
    ]


def test_tagged_media_are_read_until_the_newest_stored_and_edits_update(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(url, comments=False)
    first = instagram.poll()
    assert (first.new, first.error) == (2, None)  # tagging the brand is about it
    tagged = stored(instagram)[TAGGED]
    assert tagged.text == "アクメのケトル、注ぎ口から水漏れする😢 @acme_jp"
    assert (tagged.author, tagged.score, tagged.comments) == ("@yuki_kitchen", 95, 12)
    with instagram.sessions() as session:
        cursor = get_cursor(session, "instagram")
    assert cursor["tags_newest"] == "2026-12-01T08:00:00+00:00"
    app.edit_caption("18023456789012345", "アクメのケトル、交換してもらえました")
    second = instagram.poll()
    assert (second.updated, second.error) == (1, None)
    assert stored(instagram)[TAGGED].text == "アクメのケトル、交換してもらえました"


def test_paging_follows_next_without_the_token_in_the_url(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    for n in range(60):
        app.comment(MEDIA, f"アクメ 口コミ {n}")
    outcome = instagram_collector(url, tags=False).poll()
    assert (outcome.new, outcome.error) == (63, None)
    comment_pages = [r for r in app.requests if r["path"] == f"{MEDIA}/comments"]
    assert len(comment_pages) == 2
    assert "after" in comment_pages[1]
    assert {r["token_in_url"] for r in app.requests} == {"False"}


def test_hashtags_store_matching_media_without_asking_for_usernames(
    graph_server: GraphServer, instagram_collector: MakeCollector
) -> None:
    url, app = instagram_app(graph_server, {TOKEN: "ok"})
    instagram = instagram_collector(
        url, comments=False, tags=False, hashtags=("#アクメ", "Acme")
    )
    outcome = instagram.poll()
    assert (outcome.new, outcome.error, outcome.warning) == (2, None, None)
    found = stored(instagram)["instagram:media:18040000000000001"]
    assert found.author is None  # hashtag media carry no username
    assert found.raw is not None
    assert found.raw["via"] == "hashtag:アクメ"
    instagram.poll()  # hashtag ids are kept: no second search
    searches = [r for r in app.requests if r["path"] == "ig_hashtag_search"]
    assert [r["q"] for r in searches] == ["アクメ", "acme"]
