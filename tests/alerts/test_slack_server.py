"""The local Slack answers like the recorded one, for the calls alerts rely on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, sessionmaker
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from alerts import AlertRule, SlackDeliverer, deliver_pending, retry_failed
from tests.servers.slack import Shapes, SlackServer, channel_id

OK_TOKEN = "xoxb-ok"  # noqa: S105 - a scenario name, not a secret
APP_TOKEN = "xapp-ok"  # noqa: S105 - a scenario name, not a secret


def test_auth_test_answers_in_slacks_shape(slack: SlackServer) -> None:
    client = WebClient(token=OK_TOKEN, base_url=slack.api_url)
    assert client.auth_test().data == {
        "ok": True,
        "url": "https://earful-test.slack.com/",
        "team": "Earful Test",
        "user": "earful",
        "team_id": "T0EARFUL1",
        "user_id": "U0EARFUL1",
        "bot_id": "B0EARFUL1",
        "is_enterprise_install": False,
    }
    with pytest.raises(SlackApiError) as caught:
        WebClient(base_url=slack.api_url).auth_test()
    assert caught.value.response.data == {"ok": False, "error": "not_authed"}


@pytest.mark.realdata
def test_in_repo_shapes_match_the_real_recordings(shared: Path) -> None:
    """Second layer: the recordings in ../shared replay with the same keys."""
    ours = Shapes.load()
    recorded = Shapes.from_recordings(shared / "fixtures" / "slack")
    with SlackServer(recorded) as server:
        client = WebClient(token=OK_TOKEN, base_url=server.api_url)
        assert client.auth_test().data == recorded.auth_test
        posted = client.chat_postMessage(channel="#brand-alerts", text="hi")
    assert set(ours.auth_test) == set(recorded.auth_test)
    assert set(ours.post_message) == set(recorded.post_message)
    assert set(ours.post_message["message"]) <= set(recorded.post_message["message"])
    assert set(ours.update) == set(recorded.update)
    assert set(ours.history) == set(recorded.history)
    assert posted["channel"] == channel_id("#brand-alerts")


def test_chat_update_changes_the_posted_message(slack: SlackServer) -> None:
    client = WebClient(token=OK_TOKEN, base_url=slack.api_url)
    posted = client.chat_postMessage(channel="#brand-alerts", text="first")
    updated = client.chat_update(
        channel=posted["channel"], ts=posted["ts"], text="handled"
    )
    assert (updated["ok"], updated["ts"], updated["text"]) == (
        True,
        posted["ts"],
        "handled",
    )
    history = client.conversations_history(channel=posted["channel"])
    assert [m["text"] for m in history["messages"]] == ["handled"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel=posted["channel"], ts="1.000001", text="x")
    assert caught.value.response["error"] == "message_not_found"


def test_rate_limited_without_retries_stays_pending(
    db: sessionmaker[Session], queue: Callable[..., int], slack: SlackServer
) -> None:
    queue()
    deliverer = SlackDeliverer(
        "xoxb-ratelimited", base_url=slack.api_url, rate_limit_retries=0
    )
    report = deliver_pending(db, deliverer)
    assert (report.sent, report.still_pending) == (0, 1)
    assert report.errors == [
        (
            "alert 1 not delivered (attempt 1 of 5): Slack is unavailable for now "
            "(ratelimited); will retry"
        )
    ]
    [request] = slack.calls("chat.postMessage")
    assert request.payload["channel"] == "#brand-alerts"


def test_archived_channel_fails_and_can_be_retried_after_the_fix(
    db: sessionmaker[Session], queue: Callable[..., int], slack_deliverer
) -> None:
    queue(rule=AlertRule(name="r", brands=("Acme",), channel="#archived"))
    report = deliver_pending(db, slack_deliverer(OK_TOKEN))
    assert report.errors == [
        (
            "alert 1 failed: Slack channel #archived is archived (is_archived): "
            "unarchive it or point the alert rule at another channel"
        )
    ]
    with db() as session, session.begin():
        assert retry_failed(session, channel="#archived") == 1
    assert deliver_pending(db, slack_deliverer(OK_TOKEN)).failed == 1  # still archived


def test_socket_mode_urls_need_the_app_token_and_are_good_once(
    slack: SlackServer,
) -> None:
    client = WebClient(base_url=slack.api_url)
    for token, error in [
        (OK_TOKEN, "not_allowed_token_type"),
        ("xapp-not_authed", "not_authed"),
    ]:
        with pytest.raises(SlackApiError) as caught:
            client.apps_connections_open(app_token=token)
        assert caught.value.response.data == {"ok": False, "error": error}
    url = client.apps_connections_open(app_token=APP_TOKEN)["url"]
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname, parts.path) == ("ws", "127.0.0.1", "/link/")
    assert sorted(parse_qs(parts.query)) == ["app_id", "ticket"]
    with connect(url) as socket:
        hello = json.loads(socket.recv(timeout=10))
    assert (hello["type"], hello["num_connections"]) == ("hello", 1)
    with pytest.raises(InvalidStatus, match="HTTP 401"):
        connect(url)  # the ticket was used
