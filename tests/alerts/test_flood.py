"""Floods collapse: one incident message first, the rest folded into it, none lost."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import (
    AlertRule,
    DeliveryReport,
    SlackDeliverer,
    deliver_pending,
    enqueue,
    enqueue_spikes,
)
from earful.pipeline import RunSummary
from storage.models import Alert, AlertKind, AlertState, Mention, utcnow
from storage.queries import Match, save_score, upsert_mention
from tests.alerts.conftest import MODEL, NO_PACING, RULE, store_mention
from tests.servers.slack import SlackServer

Factory = sessionmaker[Session]
FLOOD = 1_000  # 10,000 passes too (4.5 min here): set it to measure


def store_many(db: Factory, count: int) -> None:
    """``count`` scored negative mentions from one source, in one transaction."""
    published = utcnow() - timedelta(minutes=5)
    with db() as session, session.begin():
        for n in range(count):
            values = {
                "source": "acme-forum",
                "source_type": "forum",
                "external_id": f"post-{n}",
                "url": f"https://forum.example.jp/t/{n}",
                "title": f"返金がまだ来ない #{n}",
                "text": "サポートに二週間連絡しているのに返事がない。",
                "published_at": published,
            }
            match = Match(brand="Acme", competitor=False, terms=("acme",))
            result = upsert_mention(session, values, [match])
            mention = session.get_one(Mention, result.mention_id)
            save_score(
                session,
                mention,
                model_id=MODEL,
                model_revision="r1",
                label="negative",
                probabilities={"negative": 0.9, "neutral": 0.1, "positive": 0.0},
            )


def queue(db: Factory, rules: list[AlertRule], *, spikes: bool = True) -> int:
    """What the alert job does: spikes first, then individual alerts."""
    now = utcnow()
    with db() as session, session.begin():
        made = enqueue_spikes(session, rules, model_id=MODEL, now=now) if spikes else 0
        return made + enqueue(session, rules, model_id=MODEL, now=now)


def test_a_mention_flood_is_one_message_and_loses_none(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    store_many(db, FLOOD)
    assert queue(db, [RULE]) == FLOOD + 1
    deliverer = slack_deliverer("xoxb-ok")
    first = deliver_pending(db, deliverer)  # a run: at most 100, 1 s apart in Slack
    posts = slack.posts(RULE.channel)
    assert len(posts) == 1  # the spike message; nothing else in the first minute
    assert (first.sent, first.still_pending, first.due_left) == (1, 0, 0)
    assert posts[0]["text"].startswith("Negative spike")
    with db() as session:
        alerts = list(session.scalars(select(Alert)))
    [spike] = [a for a in alerts if a.kind == AlertKind.SPIKE]
    folded = [a for a in alerts if a.state == AlertState.FOLDED]
    assert spike.state == AlertState.SENT
    assert len(folded) == FLOOD  # every mention is recorded under the spike
    assert {a.payload["incident"] for a in folded} == {spike.key}
    assert {a.mention_id for a in folded} == set(range(1, FLOOD + 1))


def test_a_flood_building_up_becomes_an_incident_sent_first(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    rule = AlertRule(
        name="r", brands=("Acme",), channel="#brand-alerts", flood_threshold=3
    )
    for n in range(3):  # three alerts, one a minute: under the threshold
        store_mention(db, title=f"slow {n}")
        assert queue(db, [rule], spikes=False) == 1
    for n in range(2):  # then two more at once: over it
        store_mention(db, title=f"burst {n}")
    assert queue(db, [rule], spikes=False) == 3  # the incident and two folded
    report = deliver_pending(db, slack_deliverer("xoxb-ok"))
    assert report.sent == 4
    texts = [m["text"] for m in slack.posts("#brand-alerts")]
    assert texts[0] == "Flood: 2 negative mentions of Acme at once"
    assert len(texts) == 4  # the incident first, then the three sent before it
    message = slack.posts("#brand-alerts")[0]
    assert "earful mentions --brand 'Acme' --sentiment negative --since" in str(
        message["blocks"]
    )
    store_mention(db, title="later")  # within the window: folds into the incident
    assert queue(db, [rule], spikes=False) == 1
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 0
    with db() as session:
        states = sorted(str(a.state) for a in session.scalars(select(Alert)))
    assert states == ["folded"] * 3 + ["sent"] * 4


def test_alerts_left_over_the_run_limit_make_once_fail(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    for n in range(5):
        store_mention(db, title=f"c{n}")
    queue(db, [RULE], spikes=False)
    report = deliver_pending(db, slack_deliverer("xoxb-ok"), limit=2)
    assert (report.sent, report.still_pending, report.due_left) == (2, 3, 3)
    assert not RunSummary(delivery=report).ok
    assert RunSummary(delivery=DeliveryReport(sent=2)).ok
    assert NO_PACING.interval == 0.0


JP_RULE = AlertRule(
    name="acme-jp", brands=("アクメ",), channel="#brand-alerts", flood_threshold=10
)


def store_batch(db: Factory, first: int, count: int) -> None:
    """One scoring batch of a Japanese flood: ``count`` negative mentions of アクメ."""
    published = utcnow() - timedelta(minutes=5)
    with db() as session, session.begin():
        for n in range(first, first + count):
            values = {
                "source": "acme-forum",
                "source_type": "forum",
                "external_id": f"jp-{n}",
                "url": f"https://forum.example.jp/t/{n}",
                "title": f"アクメの返金がまだ来ない #{n}",
                "text": "アクメのサポートに二週間連絡しているのに返事がない。",
                "published_at": published,
            }
            match = Match(brand="アクメ", competitor=False, terms=("アクメ",))
            result = upsert_mention(session, values, [match])
            save_score(
                session,
                session.get_one(Mention, result.mention_id),
                model_id=MODEL,
                model_revision="r1",
                label="negative",
                probabilities={"negative": 0.9, "neutral": 0.1, "positive": 0.0},
            )


@pytest.mark.parametrize("spikes", [True, False], ids=["spike", "incident"])
def test_the_incident_message_is_updated_with_the_floods_running_count(
    database_url: str,
    open_db: Callable[[str], Factory],
    slack: SlackServer,
    slack_deliverer: Callable[[str], SlackDeliverer],
    spikes: bool,
) -> None:
    now = utcnow()  # one clock for every pass: the spike's hour never turns

    def alert_job(db: Factory) -> DeliveryReport:
        with db() as session, session.begin():
            if spikes:
                enqueue_spikes(session, [JP_RULE], model_id=MODEL, now=now)
            enqueue(session, [JP_RULE], model_id=MODEL, now=now)
        return deliver_pending(db, slack_deliverer("xoxb-ok"))

    store_batch(open_db(database_url), 0, 40)  # the first scoring batch
    first = alert_job(open_db(database_url))
    [message] = slack.posts(JP_RULE.channel)
    assert (first.sent, first.incidents_updated) == (1, 0)
    assert " 40 " in message["text"]
    assert "アクメ" in message["text"]
    for start in (40, 100):  # two more batches, each after a restart
        db = open_db(database_url)
        store_batch(db, start, 60)
        report = alert_job(db)
        assert (report.sent, report.incidents_updated, report.errors) == (0, 1, [])
    [message] = slack.posts(JP_RULE.channel)  # still one message, rewritten
    assert " 160 " in message["text"]
    assert "*160* negative mentions" in str(message["blocks"])
    assert "Count updated" in str(message["blocks"])
    if spikes:  # what changed was read from the first batch, and says so
        assert "of the first 40: mostly acme-forum (40)" in message["text"]
    assert len(slack.calls("chat.update")) == 2
    again = alert_job(open_db(database_url))  # nothing new: no call at all
    assert (again.sent, again.incidents_updated) == (0, 0)
    assert len(slack.calls("chat.update")) == 2
