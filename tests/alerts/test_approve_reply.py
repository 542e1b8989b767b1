"""Approving a draft in the alert's thread, with real slack-bolt against the local Slack.

Where the brand has an account on the mention's network, the draft message has
"Approve and post": a click records the approver and the final text (the
daemon then posts it, ``earful.reply``). Elsewhere the draft stays a draft and
the message says where to answer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts import HandleListener
from storage.models import ReplyPost, ReplyPostState
from storage.replies import due
from tests.alerts.test_draft import (  # noqa: F401 - fixtures
    KENJI,
    TEMPLATES,
    listening,
    posted,
)
from tests.alerts.test_listen import APP_TOKEN
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
DANA = {"id": "U061F7AUR", "username": "dana", "name": "dana"}
REPLY = "ご返金が遅れ申し訳ございません。本日手配いたしました。"


@pytest.fixture
def listening_reddit(db: Factory, slack: SlackServer) -> Iterator[HandleListener]:
    listener = HandleListener(
        db,
        bot_token="xoxb-ok",  # noqa: S106 - the local Slack's
        app_token=APP_TOKEN,
        base_url=slack.api_url,
        templates=TEMPLATES,
        postable={"reddit"},
    )
    listener.start()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    yield listener
    assert listener.close()


def _draft(slack: SlackServer, alert_ts: str) -> dict:
    sockets = slack.socket_mode
    envelope = slack.click("#brand-alerts", alert_ts, "earful_draft", KENJI)
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    slack.wait_answered("views.open")
    [view] = slack.views.values()
    submitted = slack.submit(view["id"], KENJI, REPLY)
    sockets.wait("the ack", lambda: {"envelope_id": submitted} in sockets.acks)
    [draft] = slack.wait_answered("chat.postMessage", 2)[1:]
    return draft.payload


def test_a_colleague_approves_the_draft_and_it_is_due_to_post(
    db: Factory,
    slack: SlackServer,
    posted: str,  # noqa: F811 - the fixture imported above
    listening_reddit,
) -> None:
    draft = _draft(slack, posted)
    assert draft["text"].startswith(
        ":memo: *Draft reply* by <@U0G9QF9C6>, for approval. Once approved, "
        "Earful posts it on reddit-acme · 価格.com as the brand's account.\n"
    )
    [button] = draft["blocks"][-1]["elements"]
    assert (button["action_id"], button["text"]["text"]) == (
        "earful_approve_reply",
        "Approve and post",
    )
    with db() as session:
        assert due(session) == []  # a draft is not posted
    cid = channel_id("#brand-alerts")
    [message] = [m for m in slack.history[cid] if "Draft reply" in m.get("text", "")]
    sockets = slack.socket_mode
    envelope = slack.click("#brand-alerts", message["ts"], "earful_approve_reply", DANA)
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    updates = slack.wait_answered("chat.update", 2)
    [approved] = [u for u in updates if u.payload.get("ts") == message["ts"]]
    assert approved.payload["blocks"][-1]["elements"][0]["text"] == (
        ":white_check_mark: Approved by <@U061F7AUR>: posting as the brand."
    )
    assert all(b["type"] != "actions" for b in approved.payload["blocks"])
    with db() as session:
        [post] = due(session)
        assert (post.state, post.text, post.network) == (
            ReplyPostState.APPROVED,
            REPLY,
            "reddit",
        )
        assert (post.drafted_by, post.approved_by) == (
            "kenji (U0G9QF9C6)",
            "dana (U061F7AUR)",
        )


def test_without_an_account_there_the_draft_stays_a_draft(
    db: Factory,
    slack: SlackServer,
    posted: str,  # noqa: F811 - the fixture imported above
    listening,  # noqa: F811
) -> None:
    draft = _draft(slack, posted)
    assert "Earful does not post it: answer on reddit-acme" in draft["text"]
    assert [b["type"] for b in draft["blocks"]] == ["section"]
    with db() as session:
        [post] = session.query(ReplyPost).all()
        assert post.state == ReplyPostState.DRAFT
        assert due(session) == []
