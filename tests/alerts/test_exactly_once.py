"""Exactly once: Slack down then back, a crash after Slack accepted, threads, pacing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import (
    AlertRule,
    Delivery,
    SendPolicy,
    SlackDeliverer,
    WebhookDeliverer,
    deliver_pending,
    enqueue,
)
from alerts.pace import ChannelPacer, backoff
from storage.models import Alert
from tests.alerts.conftest import MODEL, NO_PACING, RULE, store_mention
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
CHANNEL = channel_id(RULE.channel)


class SimulatedCrashError(RuntimeError):
    """Raised by the fault hook: the process 'dies' after Slack accepted the post."""


def crash(alert: Alert, delivery: Delivery) -> None:
    raise SimulatedCrashError(f"killed after Slack accepted {delivery.ts}")


class Clock:
    """A clock the test moves forward, so backoff waits take no real time."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def rows(db: Factory) -> list[Alert]:
    with db() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def queue_all(db: Factory, rule: AlertRule = RULE) -> None:
    with db() as session, session.begin():
        enqueue(session, [rule], model_id=MODEL)


def keys_in_slack(slack: SlackServer, channel: str = CHANNEL) -> list[str]:
    return [
        m["metadata"]["event_payload"]["key"] for m in slack.history.get(channel, [])
    ]


def test_slack_down_for_a_stretch_then_back_delivers_each_alert_once(
    db: Factory, slack: SlackServer, fast_retry
) -> None:
    for n in range(3):
        store_mention(db, title=f"complaint {n}")
    queue_all(db)
    deliverer = SlackDeliverer(
        "xoxb-down_7",  # the first 7 calls get 503
        base_url=slack.api_url,
        server_error_retries=0,
        retry_interval=fast_retry,
        pacer=NO_PACING,
    )
    clock, runs = Clock(), 0
    while any(a.state == "pending" for a in rows(db)):
        report = deliver_pending(db, deliverer, clock=clock, policy=SendPolicy(10))
        assert report.failed == 0
        runs += 1
        assert runs < 10
        assert deliver_pending(db, deliverer, clock=clock).sent == 0  # backing off
        clock.advance(timedelta(hours=2))
    assert sorted(keys_in_slack(slack)) == ["mention:1", "mention:2", "mention:3"]
    assert [(a.state, a.last_error) for a in rows(db)] == [("sent", None)] * 3
    history_calls = slack.calls("conversations.history")
    assert history_calls  # retries after a 503 looked before posting again
    assert all(
        c.payload["include_all_metadata"] in {"1", "true"} for c in history_calls
    )


def test_crash_between_post_and_commit_sends_no_duplicate(
    db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer
) -> None:
    queue()
    deliverer, clock = slack_deliverer("xoxb-ok"), Clock()
    with pytest.raises(SimulatedCrashError):
        deliver_pending(db, deliverer, clock=clock, after_send=crash)
    [alert] = rows(db)
    assert (alert.state, alert.attempts, alert.slack_ts) == ("pending", 1, None)
    # The claim is a lease: a restart right away leaves the alert alone ...
    assert deliver_pending(db, deliverer, clock=clock).sent == 0
    clock.advance(timedelta(hours=1))
    report = deliver_pending(db, deliverer, clock=clock)
    # ... and after it, the message already in Slack is adopted, not posted again.
    assert (report.sent, report.recovered) == (1, 1)
    assert len(slack.calls("chat.postMessage")) == 1
    [message] = slack.history[CHANNEL]
    [alert] = rows(db)
    assert (alert.state, alert.slack_ts, alert.attempts) == ("sent", message["ts"], 2)


def test_crash_in_a_thread_reply_is_found_among_the_replies(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    store_mention(db, thread_id="t3_abc", title="first")
    store_mention(db, thread_id="t3_abc", title="second")
    queue_all(db)
    deliverer, clock = slack_deliverer("xoxb-ok"), Clock()
    calls = []

    def crash_on_reply(alert: Alert, delivery: Delivery) -> None:
        calls.append(alert.id)
        if alert.thread_ts:
            crash(alert, delivery)

    with pytest.raises(SimulatedCrashError):
        deliver_pending(db, deliverer, clock=clock, after_send=crash_on_reply)
    clock.advance(timedelta(hours=1))
    assert deliver_pending(db, deliverer, clock=clock).recovered == 1
    assert len(slack.calls("chat.postMessage")) == 2
    assert slack.calls("conversations.replies")
    first, second = rows(db)
    assert second.thread_ts == first.slack_ts
    assert second.slack_ts == slack.history[CHANNEL][1]["ts"]


def test_one_incident_one_message_with_replies(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    for n in range(3):
        store_mention(db, thread_id="t3_same", title=f"reply {n}")
    store_mention(db, url="https://www.trustpilot.com/review/acme#r1")
    store_mention(db, url="https://www.trustpilot.com/review/acme#r2")
    queue_all(db)
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 5
    posts = [c.payload for c in slack.calls("chat.postMessage")]
    roots = [p for p in posts if "thread_ts" not in p]
    assert len(roots) == 2  # one per incident
    thread_root, page_root = (m["ts"] for m in slack.history[CHANNEL][::3])
    assert [p.get("thread_ts") for p in posts] == [
        None, thread_root, thread_root, None, page_root,
    ]  # fmt: skip


def test_webhook_degrades_threads_to_separate_messages(
    db: Factory, slack: SlackServer
) -> None:
    for n in range(2):
        store_mention(db, thread_id="t3_same", title=f"reply {n}")
    queue_all(db)
    hook = WebhookDeliverer(slack.hook_url("ok"), pacer=NO_PACING)
    assert deliver_pending(db, hook).sent == 2
    posts = slack.calls("/hook/ok")
    assert len(posts) == 2
    assert all("thread_ts" not in p.payload for p in posts)


def test_permanent_error_stops_retries(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    store_mention(db)
    queue_all(db, AlertRule("gone", ("Acme",), "#archived"))
    deliverer, clock = slack_deliverer("xoxb-ok"), Clock()
    report = deliver_pending(db, deliverer, clock=clock)
    assert report.errors == [
        (
            "alert 1 failed: Slack channel #archived is archived (is_archived): unarchive "
            "it or point the alert rule at another channel"
        )
    ]
    clock.advance(timedelta(days=1))
    assert deliver_pending(db, deliverer, clock=clock).errors == []
    assert len(slack.calls("chat.postMessage")) == 1
    assert rows(db)[0].state == "failed"


def test_pacer_spaces_posts_per_channel() -> None:
    now, slept = [100.0], list[float]()
    pacer = ChannelPacer(1.0, clock=lambda: now[0], sleep=slept.append)
    for channel in ("#a", "#a", "#b", "#a"):
        pacer.wait(channel)
    assert slept == [1.0, 2.0]  # #a waits for its slots, #b goes at once


def test_backoff_doubles_with_jitter_and_a_cap() -> None:
    middle = [backoff(n, 30, 3600, rng=lambda: 0.5).total_seconds() for n in (1, 2, 3)]
    assert middle == [30, 60, 120]
    assert backoff(1, 30, rng=lambda: 0.0).total_seconds() == 15
    assert backoff(50, 30, 3600, rng=lambda: 0.99).total_seconds() == 3600 * 1.49
