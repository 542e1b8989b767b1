"""The outbox end to end: enqueue, deliver through real slack-sdk, record the outcome."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, deliver_pending, enqueue
from alerts.queue import insert_alert
from alerts.send import SendPolicy
from storage.db import open_database
from storage.models import Alert, AlertState
from tests.alerts.conftest import MODEL, RULE, store_mention
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
# Retry on the next run, without waiting out the backoff.
RETRY_NOW = SendPolicy(max_attempts=2, backoff_base=0)


def alerts(db: Factory) -> list[Alert]:
    with db() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def test_enqueue_is_idempotent(db: Factory) -> None:
    store_mention(db)
    store_mention(db, negative=0.2)  # not negative enough
    store_mention(db, brands=("Globex",))  # another brand
    with db() as session, session.begin():
        assert enqueue(session, [RULE], model_id=MODEL) == 1
    with db() as session, session.begin():
        assert enqueue(session, [RULE], model_id=MODEL) == 0
    [alert] = alerts(db)
    assert (alert.state, alert.rule, alert.channel) == (
        "pending",
        RULE.name,
        RULE.channel,
    )


def test_two_rules_one_channel_one_alert_two_channels_two(db: Factory) -> None:
    store_mention(db)
    same = AlertRule(name="acme-too", brands=("Acme",), channel=RULE.channel)
    other = AlertRule(name="acme-pr", brands=("Acme",), channel="#pr-team")
    with db() as session, session.begin():
        assert enqueue(session, [RULE, same, other], model_id=MODEL) == 2
    assert sorted(a.channel for a in alerts(db)) == ["#brand-alerts", "#pr-team"]


def test_a_racing_enqueue_is_skipped_not_raised(db: Factory) -> None:
    mention_id = store_mention(db)
    row = {"mention_id": mention_id, "rule": RULE.name, "channel": RULE.channel}
    with db() as session, session.begin():
        assert insert_alert(session, row) is True
    # A second process that already chose this mention inserts after the first.
    with db() as session, session.begin():
        assert insert_alert(session, row) is False
        assert enqueue(session, [RULE], model_id=MODEL) == 0
    assert len(alerts(db)) == 1


def test_sent_alert_records_channel_ts_and_is_never_resent(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue()
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (report.sent, report.failed, report.still_pending, report.errors) == (
        1,
        0,
        0,
        [],
    )
    [alert] = alerts(db)
    assert alert.state == AlertState.SENT
    assert alert.slack_channel == channel_id("#brand-alerts")
    assert alert.slack_ts == slack.history[alert.slack_channel][0]["ts"]
    assert alert.sent_at is not None
    assert alert.attempts == 1
    again = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (again.sent, again.failed, again.still_pending) == (0, 0, 0)
    assert len(slack.calls("chat.postMessage")) == 1


def test_invalid_auth_keeps_alerts_pending_and_stops_the_run(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue()
    queue()
    report = deliver_pending(db, slack_deliverer("xoxb-invalid_auth"))
    assert (report.sent, report.failed, report.still_pending) == (0, 0, 2)
    assert report.stopped
    assert report.errors == [
        (
            "Slack rejected the bot token (invalid_auth): set SLACK_BOT_TOKEN to a valid "
            "xoxb- token; delivery stopped, alerts stay pending"
        )
    ]
    assert len(slack.calls("chat.postMessage")) == 1  # stopped after the first
    assert [(a.state, a.attempts, a.last_error) for a in alerts(db)] == [
        ("pending", 0, "invalid_auth"),
        ("pending", 0, None),
    ]
    # Once the operator fixes the token, both go out.
    fixed = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (fixed.sent, fixed.still_pending) == (2, 0)


def test_server_error_stays_pending_then_fails_after_max_attempts(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue()
    deliverer = slack_deliverer("xoxb-500")
    report = deliver_pending(db, deliverer, policy=RETRY_NOW)
    assert (report.sent, report.failed, report.still_pending) == (0, 0, 1)
    assert report.errors == [
        (
            "alert 1 not delivered (attempt 1 of 2): Slack is unavailable for now "
            "(http_500); will retry"
        )
    ]
    # No blind re-post: the duplicate check before a resend failed too (3 tries).
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("conversations.list")) == 3
    [alert] = alerts(db)
    assert (alert.state, alert.attempts, alert.last_error) == ("pending", 1, "http_500")
    report = deliver_pending(db, deliverer, policy=RETRY_NOW)
    assert (report.sent, report.failed, report.still_pending) == (0, 1, 0)
    assert report.errors[0].startswith("alert 1 failed after 2 attempts:")
    assert alerts(db)[0].state == AlertState.FAILED


def test_connection_dropped_is_transient(
    db: Factory, queue: Callable[..., int], slack_deliverer
) -> None:
    queue()
    report = deliver_pending(db, slack_deliverer("xoxb-disconnect"))
    assert report.still_pending == 1
    assert "could not reach Slack" in report.errors[0]
    assert alerts(db)[0].last_error == "network_error"


def test_rate_limited_is_retried_and_delivered_once(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue()
    report = deliver_pending(db, slack_deliverer("xoxb-ratelimited_1"))
    assert (report.sent, report.still_pending, report.errors) == (1, 0, [])
    assert len(slack.calls("chat.postMessage")) == 2
    assert len(slack.history[channel_id("#brand-alerts")]) == 1


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        (
            "#nope",
            (
                "alert 1 failed: Slack channel #nope was not found (channel_not_found): "
                "check the rule's channel name; for a private channel, invite the bot "
                "with /invite @earful"
            ),
        ),
        (
            "#not-in",
            (
                "alert 1 failed: the bot is not a member of Slack channel #not-in "
                "(not_in_channel): invite the bot with /invite @earful"
            ),
        ),
    ],
)
def test_channel_errors_fail_the_alert_with_a_clear_message(
    db: Factory, queue: Callable[..., int], slack_deliverer, channel: str, message: str
) -> None:
    queue(rule=AlertRule(name="r", brands=("Acme",), channel=channel))
    queue()  # both mentions to a good channel: those alerts still go out
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert (report.sent, report.failed, report.still_pending) == (2, 1, 0)
    assert report.errors == [message]
    code = "channel_not_found" if channel == "#nope" else "not_in_channel"
    assert (alerts(db)[0].state, alerts(db)[0].last_error) == ("failed", code)


def test_outbox_on_each_database(
    database_url: str, slack: SlackServer, slack_deliverer
) -> None:
    db = open_database(database_url)
    store_mention(db)
    store_mention(db, title="<!channel> second")
    with db() as session, session.begin():
        assert enqueue(session, [RULE], model_id=MODEL) == 2
    with db() as session, session.begin():
        assert enqueue(session, [RULE], model_id=MODEL) == 0
    report = deliver_pending(db, slack_deliverer("xoxb-ratelimited_1"))
    assert (report.sent, report.failed, report.still_pending) == (2, 0, 0)
    assert [a.state for a in alerts(db)] == ["sent", "sent"]
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 0
    assert len(slack.history[channel_id("#brand-alerts")]) == 2
    db.kw["bind"].dispose()
