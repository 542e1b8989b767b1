"""Approved replies posted as the brand on Reddit with PRAW: once, after a lost answer too."""

from __future__ import annotations

from datetime import UTC, datetime

from crawlers.reddit.reply import RedditAccount, RedditReplier, make_user_reddit
from earful.reply import post_approved
from storage.cases import Actor
from storage.models import Case, CaseState, ReplyPost, ReplyPostState
from storage.queries import upsert_mentions
from storage.replies import approve, draft, due
from tests.servers.reddit import RedditServer, Scenario

COMPLAINT = "t1_kc0006"
REPLY = (
    "ご不便をおかけしております。ACMEサポートです。DMでご注文番号をお知らせください。"
)
APPROVER = Actor("kenji (U061F7AUR)", "slack", "U061F7AUR")
WRITER = Actor("dana (U0G9QF9C6)", "slack", "U0G9QF9C6")


def _approved(sessions, text: str = REPLY) -> int:  # type: ignore[no-untyped-def]
    fields = {
        "source": "reddit",
        "source_type": "reddit",
        "external_id": COMPLAINT,
        "url": "https://www.reddit.com/r/acmejp/comments/acme02/acme/kc0006/",
        "text": "アクメのケトル、一年で壊れた",
        "author": "kettle_ken",
        "published_at": datetime(2026, 11, 30, 10, tzinfo=UTC),
    }
    with sessions() as session, session.begin():
        (result,) = upsert_mentions(session, [(fields, [])])
        return approve(
            session, draft(session, result.mention_id, text, WRITER).id, APPROVER
        ).id


def _replier(server: RedditServer) -> tuple[RedditReplier, Scenario]:
    client_id, scenario = server.scenario(account="acme_support")
    account = RedditAccount(
        "acme_support", "pw", client_id, "not-a-secret", server.url, server.url
    )
    return RedditReplier(make_user_reddit(account), "acme_support"), scenario


def test_an_approved_reply_survives_a_lost_answer_without_a_double_post(
    reddit_server: RedditServer, database_url, open_db
) -> None:
    sessions = open_db(database_url)
    post_id = _approved(sessions)
    replier, scenario = _replier(reddit_server)
    scenario.post_faults.append("accept-drop")  # made, then no answer
    first = post_approved(sessions, {"reddit": replier})
    assert first.failed == [
        f"reply {post_id}: reddit u/acme_support: not reachable "
        + "(no answer: ConnectionError)"
    ]
    # it went out although PRAW saw nothing, and prawcore did not send it again
    assert len(scenario.posted) == 1
    second = post_approved(sessions, {"reddit": replier})
    cid = scenario.posted[0]["data"]["id"]
    url = f"https://www.reddit.com/r/acmejp/comments/acme02/_/{cid}/"
    assert second.posted == [url]
    assert len(scenario.posted) == 1  # found, not posted again
    comment_posts = [
        r for _, r in scenario.requests if r.startswith("POST /api/comment")
    ]
    assert len(comment_posts) == 1
    data = scenario.posted[0]["data"]
    assert (data["parent_id"], data["body"]) == (COMPLAINT, REPLY)
    with sessions() as session:
        post = session.get_one(ReplyPost, post_id)
        case = session.get_one(Case, post.mention_id)
        assert (post.state, post.external_id) == (ReplyPostState.POSTED, f"t1_{cid}")
        assert (case.state, case.reply_url, case.replied_at) == (
            CaseState.REPLIED,
            url,
            datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC),
        )


def test_a_rate_limit_is_retried_and_a_too_long_reply_is_not(
    reddit_server: RedditServer, sqlite_url, open_db
) -> None:
    sessions = open_db(sqlite_url)
    post_id = _approved(sessions)
    replier, scenario = _replier(reddit_server)
    scenario.ratelimited = True
    report = post_approved(sessions, {"reddit": replier})
    assert report.failed == [
        f"reply {post_id}: reddit u/acme_support: refused: RATELIMIT: Looks like "
        + "you've been doing that a lot. Take a break for 5 minutes before trying again."
    ]
    with sessions() as session:
        assert [p.id for p in due(session)] == [post_id]
    long_id = _approved(sessions, "あ" * 10001)
    scenario.ratelimited = False
    report = post_approved(sessions, {"reddit": replier})
    assert report.failed == [
        f"reply {long_id}: reddit u/acme_support: refused: TOO_LONG: "
        + "this is too long (max: 10000)"
    ]
    assert len(report.posted) == 1
    with sessions() as session:
        assert due(session) == []
