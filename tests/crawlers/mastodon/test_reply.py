"""Approved replies posted as the brand on Mastodon: once, even after a lost answer."""

from __future__ import annotations

from sqlalchemy import select

from crawlers.mastodon.client import instance_name, make_mastodon
from crawlers.mastodon.reply import MastodonReplier
from crawlers.reply import ReplyPoster
from earful.config import MastodonAccountConfig, ReplyAccountsConfig
from earful.reply import post_approved, posters
from storage.cases import Actor
from storage.models import Case, CaseState, Mention, ReplyPost, ReplyPostState
from storage.replies import approve, draft, due
from tests.crawlers.mastodon.conftest import TOKEN, MakeCollector, access
from tests.servers.mastodon import MastodonServer

S1 = "https://mstdn.jp/users/hanako/statuses/113500000000000101"
REPLY = "はなこ様、ご不便をおかけし申し訳ございません。DMで詳細をお伺いできますか?"
APPROVER = Actor("kenji (U061F7AUR)", "slack", "U061F7AUR")
WRITER = Actor("dana (U0G9QF9C6)", "slack", "U0G9QF9C6")


def _approved(collector: MakeCollector, url: str, text: str = REPLY) -> tuple:
    mastodon = collector(access(url), search=False)
    mastodon.poll()
    sessions = mastodon.sessions
    with sessions() as session, session.begin():
        mention = session.scalars(
            select(Mention).where(Mention.external_id == S1)
        ).one()
        post_id = approve(
            session, draft(session, mention.id, text, WRITER).id, APPROVER
        ).id
    return sessions, post_id


def _replier(url: str) -> ReplyPoster:
    """The poster the daemon builds from ``[response.accounts.mastodon]``."""
    accounts = ReplyAccountsConfig(mastodon=MastodonAccountConfig(instance=url))
    return posters(accounts, {"EARFUL_REPLY_MASTODON_TOKEN": TOKEN})["mastodon"]


def test_an_approved_reply_survives_a_lost_answer_without_a_double_post(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance(tokens=(TOKEN,))
    sessions, post_id = _approved(mastodon_collector, url)
    instance.post_faults.append("accept-drop")  # taken, then no answer
    replier = _replier(url)
    first = post_approved(sessions, {"mastodon": replier})
    assert first.failed
    assert not first.posted
    assert len(instance.posted) == 1  # it went out although the client saw nothing
    with sessions() as session:
        post = session.get_one(ReplyPost, post_id)
        assert (post.state, post.attempts) == (ReplyPostState.FAILED, 1)
    second = post_approved(sessions, {"mastodon": replier})
    sid = instance.posted[0]
    assert second.posted == [f"https://mstdn.jp/@acme_support/{sid}"]
    assert len(instance.posted) == 1  # found, not posted again
    posts = [r for r in instance.requests if r["path"] == "/api/v1/statuses"]
    assert len(posts) == 1
    reply = instance.statuses[sid]
    assert reply["in_reply_to_id"] == "113500000000000101"
    assert REPLY in reply["content"]
    with sessions() as session:
        post = session.get_one(ReplyPost, post_id)
        case = session.get_one(Case, post.mention_id)
        assert (post.state, post.approved_by, post.text) == (
            ReplyPostState.POSTED,
            "kenji (U061F7AUR)",
            REPLY,
        )
        assert case.state == CaseState.REPLIED
        assert case.reply_url == f"https://mstdn.jp/@acme_support/{sid}"
        assert case.replied_at is not None
        assert case.replied_at.isoformat() == "2026-12-02T03:04:05+00:00"
    assert post_approved(sessions, {"mastodon": replier}).posted == []


def test_a_reply_over_500_characters_is_refused_and_not_retried(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, instance = mastodon_server.instance(tokens=(TOKEN,))
    sessions, post_id = _approved(mastodon_collector, url, "ご不便" * 167)  # 501
    report = post_approved(sessions, {"mastodon": _replier(url)})
    assert report.failed == [
        f"reply {post_id}: mastodon {instance_name(url)}: refused the reply: 422 "
        + "Validation failed: Text character limit of 500 exceeded"
    ]
    assert instance.posted == []
    with sessions() as session:
        assert due(session) == []
        post = session.get_one(ReplyPost, post_id)
        assert session.get_one(Case, post.mention_id).state == CaseState.NEW


def test_a_refused_token_is_not_retried(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance(tokens=(TOKEN,))
    sessions, post_id = _approved(mastodon_collector, url)
    replier = MastodonReplier(make_mastodon(access(url, "revoked")), "mstdn.jp")
    report = post_approved(sessions, {"mastodon": replier})
    assert report.failed == [
        f"reply {post_id}: mastodon mstdn.jp: the token was refused (401)"
    ]
    with sessions() as session:
        assert due(session) == []


def test_without_a_brand_account_there_the_draft_stays_and_says_where(
    mastodon_server: MastodonServer, mastodon_collector: MakeCollector
) -> None:
    url, _ = mastodon_server.instance()
    sessions, post_id = _approved(mastodon_collector, url)
    report = post_approved(sessions, {})
    assert report.unposted == [
        f"reply {post_id}: answer on https://mstdn.jp/@hanako/113500000000000101"
    ]
    with sessions() as session:
        assert [p.id for p in due(session)] == [post_id]  # still approved, waiting
