"""searchPosts backfill with the atproto client against the local XRPC server."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from crawlers.bluesky import (
    BlueskyCredentials,
    BlueskySearcher,
    JetstreamCollector,
    JetstreamParams,
    SearchParams,
)
from crawlers.match import Matcher
from storage import Mention
from tests.crawlers.bluesky.conftest import ACME
from tests.servers.jetstream import commit
from tests.servers.xrpc import PASSWORD, XrpcServer, post_view

ALICE = "alice.test"


@pytest.fixture(scope="module")
def xrpc():
    with XrpcServer() as server:
        server.posts = [
            post_view(
                "bob.test", "did:plc:bob", f"3lp{i:02d}", f"アクメの炊飯器 その{i}"
            )
            for i in range(7)
        ] + [
            post_view(
                "carol.test",
                "did:plc:carol",
                "3lq01",
                "ＡＣＭＥ kettle broke",
                langs=("en",),
                likes=12,
                replies=3,
            ),
            post_view("dave.test", "did:plc:dave", "3lq02", "acme corp earnings"),
        ]
        yield server


def searcher(xrpc, sessions, handle=ALICE, password=PASSWORD, **params):
    credentials = BlueskyCredentials(handle, password, api_url=xrpc.url)
    return BlueskySearcher(
        credentials, SearchParams("bsky", **params), Matcher([ACME]), sessions
    )


def test_search_pages_through_results_and_stores_the_matches(xrpc, sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    outcome = searcher(xrpc, sessions, limit=3, pages=5).search()
    assert outcome.error is None
    assert (outcome.seen, outcome.new) == (8, 8)  # "acme corp" is excluded
    with sessions() as session:
        mentions = {m.external_id: m for m in session.scalars(select(Mention))}
    kettle = mentions["at://did:plc:carol/app.bsky.feed.post/3lq01"]
    assert kettle.url == "https://bsky.app/profile/carol.test/post/3lq01"
    assert (kettle.author, kettle.score, kettle.comments) == ("carol.test", 12, 3)
    rice = mentions["at://did:plc:bob/app.bsky.feed.post/3lp00"]
    assert (rice.text, rice.language) == ("アクメの炊飯器 その0", "ja")
    again = searcher(xrpc, sessions, limit=100).search()
    assert (again.seen, again.new) == (8, 0)


def test_a_wrong_app_password_is_a_clear_error_naming_the_variables(
    xrpc, sqlite_url, open_db
):
    outcome = searcher(xrpc, open_db(sqlite_url), password="wrong").search()  # noqa: S106
    assert outcome.error == (
        "bluesky source bsky: Bluesky refused the account in EARFUL_BLUESKY_HANDLE / "
        "EARFUL_BLUESKY_APP_PASSWORD: AuthenticationRequired: Invalid identifier or "
        "password (check the handle and make a new app password at "
        "https://bsky.app/settings/app-passwords)"
    )
    assert "wrong" not in outcome.error


def test_missing_credentials_say_which_variables_to_set(xrpc, sqlite_url, open_db):
    outcome = searcher(xrpc, open_db(sqlite_url), handle=None, password=None).search()
    assert outcome.error == (
        "bluesky source bsky: Bluesky search needs an account: set "
        "EARFUL_BLUESKY_HANDLE and EARFUL_BLUESKY_APP_PASSWORD (an app password "
        "from https://bsky.app/settings/app-passwords)"
    )


def test_an_expired_session_fails_once_then_logs_in_again(xrpc, sqlite_url, open_db):
    search = searcher(xrpc, open_db(sqlite_url), handle="expired.test", pages=1)
    first = search.search()  # the session expires after the first term's search
    assert first.error == (
        "bluesky source bsky: search failed: 400 ExpiredToken: Token has expired"
    )
    assert first.counts["requests"] == 1
    second = search.search()  # a new session
    assert second.error is None
    assert second.counts["requests"] == 2
    assert xrpc.sessions["expired.test"] == 2


def test_429_backs_off_until_ratelimit_reset(xrpc, sqlite_url, open_db):
    search = searcher(xrpc, open_db(sqlite_url), handle="busy.test")
    first = search.search()
    assert first.error is not None
    assert "rate limited by Bluesky (HTTP 429), next search in" in first.error
    calls = len(xrpc.requests)
    second = search.search()
    assert second.error is not None
    assert "rate limited" in second.error
    assert len(xrpc.requests) == calls  # no request until the reset


def test_a_post_found_by_search_and_firehose_is_one_mention(
    xrpc, jetstream, sqlite_url, open_db
):
    sessions = open_db(sqlite_url)
    searcher(xrpc, sessions).search()
    collector = JetstreamCollector(
        JetstreamParams("bsky", jetstream.url), Matcher([ACME]), sessions
    )
    stop = threading.Event()
    stored = threading.Event()
    thread = threading.Thread(
        target=collector.listen, args=(20, stop, stored.set), daemon=True
    )
    thread.start()
    jetstream.wait("the collector to connect", lambda: jetstream.opened == 1)
    jetstream.publish(
        [
            commit(
                "did:plc:bob",
                1,
                "3lp00",
                text="アクメの炊飯器 その0 (edited)",
                operation="update",
            )
        ]
    )
    assert stored.wait(20), "the edit was not stored"
    stop.set()
    thread.join(timeout=10)
    with sessions() as session:
        [mention] = session.scalars(
            select(Mention).where(
                Mention.external_id == "at://did:plc:bob/app.bsky.feed.post/3lp00"
            )
        )
    assert mention.text == "アクメの炊飯器 その0 (edited)"
