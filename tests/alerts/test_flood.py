"""Floods collapse: one incident message first, the rest folded into it, none lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, DeliveryReport, deliver_pending, enqueue, enqueue_spikes
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
