"""The response workflow in Slack: take, assign, replied, resolved, reopen.

Real slack-bolt and slack-sdk against the local Slack Web API and Socket Mode
server, on SQLite and PostgreSQL. Each action is acked, stored as a case event
(who, via slack, from → to) and every message about the mention is rewritten
in place with ``chat.update``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts import HandleListener, SendPolicy, deliver_pending
from storage.cases import case_events
from storage.models import Case, Mention
from tests.alerts.conftest import RULE
from tests.alerts.test_listen import APP_TOKEN
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
DANA = {"id": "U061F7AUR", "username": "dana", "name": "dana"}
KENJI = {"id": "U0G9QF9C6", "username": "kenji", "name": "kenji"}


@pytest.fixture
def db(database_url: str, open_db: Callable[[str], Factory]) -> Factory:
    """A migrated database: SQLite, and PostgreSQL when reachable."""
    return open_db(database_url)


@pytest.fixture
def two_posts(db: Factory, queue, slack: SlackServer, slack_deliverer):
    """One Japanese complaint alerted in two channels; their (channel, ts)."""
    queue(
        title="Acmeのサポートがひどい",
        text="返金を二週間待っても連絡なし。<!channel>",
        author="不満な客",
    )
    from alerts import enqueue  # noqa: PLC0415 - the second rule, same mention

    with db() as session, session.begin():
        enqueue(
            session, [replace(RULE, name="ja", channel="#ja")], model_id="test-model"
        )
    policy = SendPolicy(handle_button=True)
    assert deliver_pending(db, slack_deliverer("xoxb-ok"), policy=policy).sent == 2
    return [
        (name, str(slack.history[channel_id(name)][0]["ts"]))
        for name in ("#brand-alerts", "#ja")
    ]


@pytest.fixture
def listening(db: Factory, slack: SlackServer) -> Iterator[HandleListener]:
    listener = HandleListener(
        db,
        bot_token="xoxb-ok",  # noqa: S106 - the local Slack's
        app_token=APP_TOKEN,
        base_url=slack.api_url,
    )
    listener.start()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    yield listener
    assert listener.close()


def act(slack: SlackServer, post: tuple[str, str], action_id: str, user, n: int, **kw):
    """Click ``action_id`` in ``post``; wait for the ack and the ``n``th updates."""
    envelope = slack.click(*post, action_id, user, **kw)
    sockets = slack.socket_mode
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    return slack.wait_answered("chat.update", n)


def texts(slack: SlackServer, channel: str) -> list[str]:
    [message] = slack.history[channel_id(channel)]
    return [
        b["text"]["text"]
        for b in message["blocks"]
        if b["type"] == "section" and "text" in b
    ]


def elements(slack: SlackServer, channel: str) -> list[str]:
    [message] = slack.history[channel_id(channel)]
    [block] = [b for b in message["blocks"] if b["type"] == "actions"]
    return [e["action_id"] for e in block["elements"]]


def test_take_assign_reply_resolve_and_reopen_from_slack(
    db: Factory, slack: SlackServer, two_posts, listening
) -> None:
    first, second = two_posts
    assert elements(slack, "#ja") == [
        "open_mention", "earful_take", "earful_assign", "earful_draft",
        "earful_replied", "earful_handle",
    ]  # fmt: skip
    act(slack, first, "earful_take", DANA, 2)
    with db() as session:
        case = session.get_one(Case, 1)
        assert (case.state, case.owner, case.owner_slack_id) == (
            "in_progress",
            "dana (U061F7AUR)",
            "U061F7AUR",
        )
        since = case.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    line = (
        f":hourglass_flowing_sand: *in progress* · owner <@U061F7AUR> · since {since}"
    )
    for channel in ("#brand-alerts", "#ja"):  # both messages, in place
        assert line in texts(slack, channel)
        assert "earful_take" not in elements(slack, channel)

    # Assign from the second channel's message: users.info names the user.
    act(slack, second, "earful_assign", DANA, 4, selected_user="U0G9QF9C6")
    [info] = slack.calls("users.info")
    assert info.payload == {"user": "U0G9QF9C6"}
    [message] = slack.history[channel_id("#ja")]
    [select] = [
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "users_select"
    ]
    assert select["initial_user"] == "U0G9QF9C6"
    act(slack, second, "earful_replied", KENJI, 6)
    act(slack, first, "earful_handle", KENJI, 8)
    assert elements(slack, "#brand-alerts") == [
        "open_mention", "earful_assign", "earful_reopen"
    ]  # fmt: skip
    act(slack, first, "earful_reopen", DANA, 10)
    with db() as session:
        case = session.get_one(Case, 1)
        assert case.state == "in_progress"
        assert case.owner == "kenji (U0G9QF9C6)"
        assert case.alerted_at is not None
        assert case.first_action_at is not None
        assert case.replied_at is not None
        assert case.resolved_at is not None
        assert case.alerted_at <= case.first_action_at <= case.replied_at
        assert session.get_one(Mention, 1).handled_at is None  # reopened
        history = [
            (e.actor, e.via, e.from_state, e.to_state, e.owner)
            for e in case_events(session, 1)
        ]
    assert history == [
        ("dana (U061F7AUR)", "slack", "new", "in_progress", "dana (U061F7AUR)"),
        (
            "dana (U061F7AUR)",
            "slack",
            "in_progress",
            "in_progress",
            "kenji (U0G9QF9C6)",
        ),
        ("kenji (U0G9QF9C6)", "slack", "in_progress", "replied", "kenji (U0G9QF9C6)"),
        ("kenji (U0G9QF9C6)", "slack", "replied", "resolved", "kenji (U0G9QF9C6)"),
        ("dana (U061F7AUR)", "slack", "resolved", "in_progress", "kenji (U0G9QF9C6)"),
    ]


def test_an_unknown_user_is_shown_by_id_and_hostile_names_are_inert(
    db: Factory, slack: SlackServer, two_posts, listening
) -> None:
    first, _second = two_posts
    act(slack, first, "earful_assign", DANA, 2, selected_user="U0EVIL0001")
    with db() as session:
        assert session.get_one(Case, 1).owner == "<!channel> mallory (U0EVIL0001)"
    # The message names the owner by Slack id, never by the name they chose.
    assert not any("mallory" in t for t in texts(slack, "#ja"))
    act(slack, first, "earful_assign", DANA, 4, selected_user="U0NOBODY99")
    with db() as session:
        assert session.get_one(Case, 1).owner == "U0NOBODY99"
