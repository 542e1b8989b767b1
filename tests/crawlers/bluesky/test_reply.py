"""Approved replies posted as the brand on Bluesky: once, even after a lost answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crawlers.bluesky import BlueskyCredentials, BlueskySearcher, SearchParams
from crawlers.bluesky.reply import BlueskyReplier
from crawlers.match import Matcher
from earful.reply import post_approved
from storage.cases import Actor
from storage.models import Case, CaseState, Mention, ReplyPost, ReplyPostState
from storage.replies import approve, draft, due
from tests.crawlers.bluesky.conftest import ACME
from tests.servers.xrpc import ACCOUNTS, PASSWORD, XrpcServer, post_view

COMPLAINT = "at://did:plc:bob/app.bsky.feed.post/3lp01"
REPLY = "ボブ様、炊飯器の件で大変ご迷惑をおかけしました。交換品をお送りします🙇"
APPROVER = Actor("kenji (U061F7AUR)", "slack", "U061F7AUR")
WRITER = Actor("dana (U0G9QF9C6)", "slack", "U0G9QF9C6")
AT = datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def xrpc() -> Iterator[XrpcServer]:
    with XrpcServer() as server:
        server.posts = [
            post_view("bob.test", "did:plc:bob", "3lp01", "アクメの炊飯器がまた壊れた"),
        ]
        yield server


def _approved(xrpc, sessions, text=REPLY):  # type: ignore[no-untyped-def]
    credentials = BlueskyCredentials("alice.test", PASSWORD, api_url=xrpc.url)
    BlueskySearcher(
        credentials, SearchParams("bsky"), Matcher([ACME]), sessions
    ).search()
    with sessions() as session, session.begin():
        stmt = select(Mention).where(Mention.external_id == COMPLAINT)
        return approve(
            session,
            draft(session, session.scalars(stmt).one().id, text, WRITER).id,
            APPROVER,
        ).id


def _replier(xrpc: XrpcServer, password: str = PASSWORD) -> BlueskyReplier:
    return BlueskyReplier("acme.test", password, api_url=xrpc.url, clock=lambda: AT)


def test_an_approved_reply_survives_a_lost_answer_without_a_double_post(
    xrpc, database_url, open_db
):
    sessions = open_db(database_url)
    post_id = _approved(xrpc, sessions)
    xrpc.post_faults.append("accept-drop")  # created, then no answer
    replier = _replier(xrpc)
    first = post_approved(sessions, {"bluesky": replier})
    assert len(first.failed) == 1
    assert not first.posted
    records = xrpc.records[ACCOUNTS["acme.test"]]
    assert len(records) == 1  # it went out although the client saw nothing
    second = post_approved(sessions, {"bluesky": replier})
    rkey = records[0]["uri"].rsplit("/", 1)[1]
    url = f"https://bsky.app/profile/acme.test/post/{rkey}"
    assert second.posted == [url]
    assert len(records) == 1  # found, not posted again
    assert [p for p, _ in xrpc.requests].count("createRecord") == 1
    value = records[0]["value"]
    assert value["text"] == REPLY
    ref = {
        "uri": COMPLAINT,
        "cid": "bafyreig3lp01",
        "$type": "com.atproto.repo.strongRef",
    }
    assert value["reply"] == {
        "root": ref,
        "parent": ref,
        "$type": "app.bsky.feed.post#replyRef",
    }
    with sessions() as session:
        post = session.get_one(ReplyPost, post_id)
        case = session.get_one(Case, post.mention_id)
        assert (post.state, post.approved_by) == (
            ReplyPostState.POSTED,
            "kenji (U061F7AUR)",
        )
        assert post.external_id == records[0]["uri"]
        assert (case.state, case.reply_url, case.replied_at) == (
            CaseState.REPLIED,
            url,
            AT,
        )


def test_a_reply_over_300_graphemes_is_refused_and_not_retried(
    xrpc, sqlite_url, open_db
):
    sessions = open_db(sqlite_url)
    post_id = _approved(xrpc, sessions, "あ" * 301)
    report = post_approved(sessions, {"bluesky": _replier(xrpc)})
    assert report.failed == [
        (
            f"reply {post_id}: bluesky acme.test: refused: InvalidRequest: "
            "Record/text must not be longer than 300 graphemes"
        )
    ]
    assert ACCOUNTS["acme.test"] not in xrpc.records
    with sessions() as session:
        assert due(session) == []


def test_a_wrong_app_password_is_not_retried(xrpc, sqlite_url, open_db):
    sessions = open_db(sqlite_url)
    post_id = _approved(xrpc, sessions)
    report = post_approved(sessions, {"bluesky": _replier(xrpc, "wrong")})
    assert report.failed == [
        (
            f"reply {post_id}: bluesky acme.test: refused: AuthenticationRequired: "
            "Invalid identifier or password"
        )
    ]
    with sessions() as session:
        assert due(session) == []
