"""Slack as strict as the real one, and failing the ways the real one fails.

Names resolve to IDs (the history API takes IDs only), a post stored before a
500 or a dropped connection is found rather than posted again, and an outage
of two minutes loses and doubles nothing, for ``#name`` and ID channels alike.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, SendPolicy, SlackDeliverer, deliver_pending, enqueue
from storage.models import Alert
from tests.alerts.conftest import MODEL, NO_PACING, store_mention
from tests.servers.slack import FILLER_CHANNELS, SlackServer, channel_id

Factory = sessionmaker[Session]
# Flood folding off: these tests count individual alerts.
NAMED = AlertRule(
    name="named", brands=("Acme",), channel="#brand-alerts", flood_threshold=1000
)
OK_TOKEN = "xoxb-ok"  # noqa: S105 - a scenario name, not a secret
BY_ID = AlertRule(
    name="by-id", brands=("Acme",), channel=channel_id("#pr"), flood_threshold=1000
)


class Clock:
    """A clock the test moves forward, so backoff waits take no real time."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def keys_by_channel(slack: SlackServer) -> Counter[tuple[str, str]]:
    """How many messages carry each (channel, alert key), replies included."""
    found: Counter[tuple[str, str]] = Counter()
    with slack.lock:
        for channel, messages in slack.history.items():
            for m in messages:
                found[channel, m["metadata"]["event_payload"]["key"]] += 1
    return found


def queue(db: Factory, count: int, *rules: AlertRule) -> None:
    for n in range(count):
        store_mention(db, title=f"complaint {n}")
    with db() as session, session.begin():
        enqueue(session, list(rules), model_id=MODEL)


def states(db: Factory) -> Counter[str]:
    with db() as session:
        return Counter(session.scalars(select(Alert.state)))


def deliverer(slack: SlackServer, token: str = OK_TOKEN) -> SlackDeliverer:
    return SlackDeliverer(
        token,
        base_url=slack.api_url,
        retry_interval=FixedValueRetryIntervalCalculator(fixed_internal=0.01),
        pacer=NO_PACING,
    )


def test_reads_and_updates_take_ids_only_posts_take_names(slack: SlackServer) -> None:
    client = WebClient(token=OK_TOKEN, base_url=slack.api_url)
    posted = client.chat_postMessage(channel="#brand-alerts", text="hi")
    assert posted["channel"] == channel_id("#brand-alerts")
    for call in (
        lambda: client.conversations_history(channel="#brand-alerts"),
        lambda: client.conversations_replies(channel="#brand-alerts", ts=posted["ts"]),
        lambda: client.chat_update(channel="#brand-alerts", ts=posted["ts"], text="x"),
    ):
        with pytest.raises(SlackApiError) as caught:
            call()
        assert caught.value.response.data == {
            "ok": False,
            "error": "channel_not_found",
        }
    history = client.conversations_history(channel=posted["channel"])
    assert [m["text"] for m in history["messages"]] == ["hi"]
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="#nope", text="hi")
    assert caught.value.response["error"] == "channel_not_found"


def test_conversations_list_pages_with_cursors(slack: SlackServer) -> None:
    client = WebClient(token=OK_TOKEN, base_url=slack.api_url)
    names, cursor, pages = [], None, 0
    while True:
        page = client.conversations_list(limit=100, cursor=cursor)
        names += [c["name"] for c in page["channels"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3
    assert "brand-alerts" in names
    assert len(names) == len(set(names)) > FILLER_CHANNELS
    with pytest.raises(SlackApiError) as caught:
        client.conversations_list(cursor="bm90IGEgY3Vyc29y!")
    assert caught.value.response["error"] == "invalid_cursor"


def test_a_name_resolves_once_across_pages_and_stays_cached(
    slack: SlackServer,
) -> None:
    slack.add_channel("zz-last")  # on the last page
    sender = deliverer(slack)
    assert sender.resolve("#zz-last") == channel_id("#zz-last")
    assert sender.resolve("zz-last") == channel_id("#zz-last")
    assert sender.resolve("#brand-alerts") == channel_id("#brand-alerts")
    assert sender.resolve("C0123ABCD") == "C0123ABCD"
    assert len(slack.calls("conversations.list")) == 1  # one page of 1000
    with pytest.raises(Exception, match="#gone not found") as caught:
        sender.resolve("#gone")
    assert getattr(caught.value, "code", None) == "channel_not_found"


@pytest.mark.parametrize("fault", ["store500", "storedrop"])
@pytest.mark.parametrize("rule", [NAMED, BY_ID], ids=["name", "id"])
def test_stored_then_failed_20_times_doubles_nothing(
    db: Factory, slack: SlackServer, fault: str, rule: AlertRule
) -> None:
    queue(db, 20, rule)
    report = deliver_pending(db, deliverer(slack, f"xoxb-{fault}_20"), limit=100)
    posts = Counter(c.payload["metadata"]["event_payload"]["key"]
                    for c in slack.calls("chat.postMessage"))  # fmt: skip
    found = keys_by_channel(slack)
    assert report.sent == 20
    assert len(found) == 20
    assert max(found.values()) == 1  # each alert once in Slack
    assert set(posts.values()) == {1}  # and no post was sent twice
    assert report.recovered == 0  # found within the same call
    assert states(db) == {"sent": 20}


def test_a_two_minute_outage_loses_and_doubles_nothing(
    db: Factory, slack: SlackServer
) -> None:
    queue(db, 9, NAMED, BY_ID)  # 18 alerts: 9 to #brand-alerts, 9 to an ID
    sender, clock = deliverer(slack), Clock()
    policy = SendPolicy(max_attempts=5)
    faults = ["store500", "down", "storedrop", "500", "drop"]
    start = clock.now
    step = 0
    while clock.now - start < timedelta(minutes=2):  # Slack fails every way it can
        slack.fault = faults[step % len(faults)]
        report = deliver_pending(db, sender, clock=clock, policy=policy)
        assert report.failed == 0
        clock.now += timedelta(seconds=5)
        step += 1
    slack.fault = None
    for _ in range(20):
        deliver_pending(db, sender, clock=clock, policy=policy)
        if states(db) == {"sent": 18}:
            break
        clock.now += timedelta(minutes=5)
    found = keys_by_channel(slack)
    lost = 18 - len(found)
    doubled = sum(n - 1 for n in found.values())
    assert (lost, doubled) == (0, 0)
    assert states(db) == {"sent": 18}
    assert {c for c, _ in found} == {channel_id("#brand-alerts"), channel_id("#pr")}
