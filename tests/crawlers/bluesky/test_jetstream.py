"""The Jetstream collector against the local Jetstream: match, store, edit, resume."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from crawlers.bluesky import JetstreamCollector, JetstreamParams
from crawlers.bluesky.jetstream import subscribe_url
from crawlers.match import Matcher
from storage import BrandMatch, Mention
from storage.queries import get_cursor, set_cursor
from tests.crawlers.bluesky.conftest import ACME
from tests.servers.jetstream import commit, identity

DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
T0 = 1_764_565_200_000_000


def test_a_japanese_post_naming_the_brand_is_stored_with_its_permalink(
    jetstream, listening
):
    run = listening()
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    jetstream.publish(
        [
            commit(DID, T0, "3lbq1", text="今日の天気", langs=("ja",)),
            identity(DID, T0 + 1, "alice.bsky.social"),
            commit(DID, T0 + 2, "3lbq3", text="acme corp quarterly results"),
            commit(DID, T0 + 3, "3lbq4", text="acme", collection="app.bsky.feed.like"),
            commit(DID, T0 + 4, "3lbq2", text="ｱｸﾒのケトルがすぐ壊れた", langs=("ja",)),
        ]
    )
    run.wait_for("the match to be stored", lambda: run.wakes >= 1)
    outcome = run.finish()
    [mention] = run.mentions()
    assert mention.source_type == "bluesky"
    assert mention.external_id == f"at://{DID}/app.bsky.feed.post/3lbq2"
    assert mention.url == f"https://bsky.app/profile/{DID}/post/3lbq2"
    assert mention.text == "ｱｸﾒのケトルがすぐ壊れた"
    assert mention.language == "ja"
    assert mention.author == DID
    assert (outcome.seen, outcome.new, outcome.error) == (1, 1, None)
    with run.sessions() as session:
        assert session.scalars(select(BrandMatch.brand)).all() == ["Acme"]
        assert get_cursor(session, "bsky") == {"time_us": T0 + 4}
    [request] = jetstream.requests
    assert request["wantedCollections"] == ["app.bsky.feed.post"]
    started = int(request["cursor"][0])  # when it began, less the replay margin
    assert abs(started + 5_000_000 - time.time_ns() // 1000) < 60_000_000


def test_an_edit_stores_the_new_text_and_a_delete_keeps_the_record(
    jetstream, listening
):
    run = listening()
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    jetstream.publish([commit(DID, T0, "3lbq1", text="アクメ最高")])
    run.wait_for("the post", lambda: run.wakes >= 1)
    jetstream.publish(
        [
            commit(
                DID, T0 + 1, "3lbq1", text="アクメ最悪、返金して", operation="update"
            ),
            commit(DID, T0 + 2, "3lbq1", operation="delete"),
            commit(DID, T0 + 3, "3lbq9", operation="delete"),
            commit(DID, T0 + 4, "3lbz", text="アクメ: the last event"),
        ]
    )
    run.wait_for("the last event", lambda: len(run.mentions()) == 2)
    outcome = run.finish()
    mention, _last = run.mentions()
    assert mention.text == "アクメ最悪、返金して"
    assert (outcome.new, outcome.updated, outcome.counts["deleted"]) == (2, 1, 2)


def test_a_dropped_connection_resumes_from_the_cursor_losing_nothing(
    jetstream, listening
):
    jetstream.drop_after = 3
    run = listening(replay_margin_s=0.000_002, max_backoff_s=0.1)
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    posts = [
        commit(DID, T0 + i * 1000, f"3lc{i:02d}", text=f"アクメ その{i}")
        for i in range(10)
    ]
    jetstream.publish(posts)
    run.wait_for("all ten", lambda: len(run.mentions()) == 10)
    outcome = run.finish()
    assert sorted(m.text for m in run.mentions()) == sorted(
        p["commit"]["record"]["text"] for p in posts
    )
    assert outcome.counts["connects"] >= 4
    resumed = [int(r["cursor"][0]) for r in jetstream.requests[1:]]
    assert resumed
    # each resumes 2 µs before the last stored event: it comes again, stored once
    assert all((cursor + 2 - T0) % 1000 == 0 for cursor in resumed)


def test_a_stored_cursor_replays_what_was_published_while_down(
    jetstream, sqlite_url, open_db
):
    sessions = open_db(sqlite_url)
    jetstream.publish(
        [commit(DID, T0 + i, f"3ld{i}", text=f"ACME day {i}") for i in range(5)]
    )
    with sessions.begin() as session:
        set_cursor(session, "bsky", {"time_us": T0 + 2})
    collector = JetstreamCollector(
        JetstreamParams("bsky", jetstream.url, replay_margin_s=0.000_001),
        Matcher([ACME]),
        sessions,
    )
    stop = threading.Event()

    def stored() -> None:  # stop once the replayed gap is stored
        with sessions() as session:
            if session.scalar(select(func.count()).select_from(Mention)) == 4:
                stop.set()

    outcome = collector.listen(20, stop, stored)
    assert jetstream.requests[0]["cursor"] == [str(T0 + 1)]
    assert (outcome.seen, outcome.new) == (4, 4)  # T0+1 .. T0+4


def test_an_unreachable_jetstream_is_an_error_in_the_outcome(sqlite_url, open_db):
    collector = JetstreamCollector(
        JetstreamParams("bsky", "ws://127.0.0.1:9/subscribe", max_backoff_s=0.2),
        Matcher([ACME]),
        open_db(sqlite_url),
    )
    outcome = collector.listen(1.0, threading.Event())
    assert outcome.counts["connects"] == 0
    assert outcome.error is not None
    assert outcome.error.startswith("bluesky source bsky: Jetstream at 127.0.0.1:9:")
    assert "reconnecting in 0.2 s" in outcome.error


def test_subscribe_url_keeps_other_parameters_and_sets_the_cursor():
    url = subscribe_url("wss://js.example/subscribe?compress=false&cursor=1", 42)
    assert url == (
        "wss://js.example/subscribe?compress=false"
        "&wantedCollections=app.bsky.feed.post&cursor=42"
    )
