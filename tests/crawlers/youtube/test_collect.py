"""YouTube comments: channel and video threads, brand searches, edits, Japanese text."""

from __future__ import annotations

from datetime import timedelta

from crawlers.youtube.things import search_query
from storage.queries import get_cursor
from tests.crawlers.conftest import ACME
from tests.crawlers.youtube.conftest import CHANNEL, NOW, MakeCollector, stored
from tests.servers.youtube import YouTubeServer

WATCHED = {"channel_id": CHANNEL, "videos": ("quietVid001",)}


def test_search_query_in_youtube_syntax() -> None:
    assert search_query(ACME) == 'acme|"アクメ" -"acme corp"'


def test_a_poll_reads_the_channel_skips_closed_videos_and_searches(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), **WATCHED)
    outcome = youtube.poll()
    assert outcome.error is None
    mentions = stored(youtube)
    assert sorted(mentions) == [
        "UgzAcmeEn0002",  # under a video whose title names Acme
        "UgzAcmeEn0003",
        "UgzAcmeJa0001",
        "video:otherVid001",  # found by search; "Acme Corp earnings" is excluded
    ]
    ja = mentions["UgzAcmeJa0001"]
    assert ja.text == "アクメのブレンダー、二週間で壊れました。サポートも返事なし。"
    assert ja.language == "ja"
    assert ja.title == "Acme ブレンダー 開封レビュー"
    assert ja.url == "https://www.youtube.com/watch?v=acmeVid0001&lc=UgzAcmeJa0001"
    assert (ja.author, ja.score, ja.comments) == ("@hanako_tokyo", 31, 4)
    video = mentions["video:otherVid001"]
    assert video.title == "Kitchen gadgets I regret buying: Acme & more"
    assert video.text == "I tried the Acme mixer, here's what broke."
    assert outcome.warning == (
        "video:quietVid001 skipped from now on: commentsDisabled: The video "
        'identified by the <code><a href="/youtube/v3/docs/commentThreads/list'
        '#videoId">videoId</a></code> parameter has disabled comments.'
    )
    assert [r["resource"] for r in scenario.requests] == [
        "commentThreads",
        "videos",
        "commentThreads",
        "search",
    ]
    with youtube.sessions() as session:
        quota = get_cursor(session, "youtube")["quota"]
    assert (quota["used"], quota["budget"]) == (103, 10_000)
    assert scenario.used == 103  # the server counted the same units

    # The next poll follows the video the search found, and searches no more.
    second = youtube.poll()
    assert (second.new, second.error) == (2, None)
    assert second.warning == (
        "video:quietVid001 skipped (commentsDisabled): remove it from the config"
    )
    assert {"UgzOther00005", "UgzOther00006"} <= set(stored(youtube))
    assert [r["resource"] for r in scenario.requests[4:]] == [
        "commentThreads",
        "commentThreads",
    ]
    assert scenario.requests[-1]["videoId"] == "otherVid001"


def test_an_edited_comment_updates_its_mention(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL, search=False)
    youtube.poll()
    scenario.edit(
        "UgzAcmeJa0001",
        "追記：アクメから連絡が来て交換してもらえました。",
        "2026-11-30T15:00:00Z",
    )
    scenario.comment("acmeVid0002", "アクメのケトル最高", "2026-11-30T16:00:00Z")
    outcome = youtube.poll()
    assert (outcome.new, outcome.updated, outcome.error) == (1, 1, None)
    edited = stored(youtube)["UgzAcmeJa0001"]
    assert edited.text == "追記：アクメから連絡が来て交換してもらえました。"
    assert edited.raw is not None
    assert edited.raw["edited"] is True


def test_found_videos_are_followed_for_follow_days(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), follow_days=1.0)
    youtube.poll()  # no channel: only the search
    later = NOW + timedelta(days=2)
    youtube.now = lambda: later
    youtube.source = youtube.source.model_copy(update={"search": False})
    youtube.poll()
    assert [r["resource"] for r in scenario.requests] == ["search"]


def test_a_removed_video_is_skipped_and_a_deleted_comment_breaks_nothing(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(
        key, (ACME,), channel_id=CHANNEL, videos=("goneVideo01",), search=False
    )
    first = youtube.poll()
    assert (first.new, first.error) == (3, None)
    assert first.warning is not None
    assert first.warning.startswith(
        "video:goneVideo01 skipped from now on: videoNotFound: The video identified"
    )
    scenario.threads = [t for t in scenario.threads if t["id"] != "UgzAcmeJa0001"]
    second = youtube.poll()  # the removed video is not asked for again
    assert (second.new, second.error) == (0, None)
    assert second.warning == (
        "video:goneVideo01 skipped (videoNotFound): remove it from the config"
    )
    assert [r.get("videoId") for r in scenario.requests].count("goneVideo01") == 1
    assert "UgzAcmeJa0001" in stored(youtube)  # deleted on YouTube, kept here


def test_found_videos_are_read_every_follow_every_at_most_follow_max(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), follow_every=3600.0, follow_max=1)
    youtube.poll()  # the search finds otherVid001
    youtube.poll()  # its comments: the first read
    youtube.poll()  # within the hour: not again
    assert [r["resource"] for r in scenario.requests] == ["search", "commentThreads"]
    with youtube.sessions() as session:
        assert list(get_cursor(session, "youtube")["found"]) == ["otherVid001"]
    later = NOW + timedelta(hours=1, minutes=1)
    youtube.now = lambda: later
    youtube.poll()
    assert [r["resource"] for r in scenario.requests][2:] == ["commentThreads"]


def test_follow_max_zero_stores_found_videos_without_following_them(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), follow_max=0)
    youtube.poll()
    youtube.poll()
    assert [r["resource"] for r in scenario.requests] == ["search"]
    assert "video:otherVid001" in stored(youtube)


def test_a_backlog_deeper_than_max_pages_is_said(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(
        key, (ACME,), channel_id=CHANNEL, search=False, max_pages=1
    )
    youtube.poll()
    for minute in range(150):  # more than a page of 100 while the daemon was down
        scenario.comment(
            "acmeVid0001",
            f"アクメ {minute}",
            f"2026-12-01T01:{minute % 60:02d}:{minute // 60:02d}Z",
        )
    outcome = youtube.poll()
    assert outcome.new == 100
    assert outcome.warning == (
        f"channel:{CHANNEL}: more than 1 pages of new comments; the older ones were "
        "skipped (raise max_pages or poll more often)"
    )
