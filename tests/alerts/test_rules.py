"""Rules: filters, keyword triggers, routing one alert per channel, quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import AlertRule, DeliveryWindow, RuleError, deliver_pending, enqueue
from alerts.rules import keyword_pattern, normalise
from storage.models import Alert
from tests.alerts.conftest import MODEL, store_mention

Factory = sessionmaker[Session]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
EVER = timedelta(days=36500)  # the fixed NOW may be far from when mentions are stored


def queued(db: Factory, rules: list[AlertRule], **kwargs: object) -> list[Alert]:
    with db() as session, session.begin():
        enqueue(session, rules, model_id=MODEL, **kwargs)  # type: ignore[arg-type]
    with db() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


@pytest.mark.parametrize(
    ("keyword", "text", "hit"),
    [
        ("lawsuit", "They face a LAWSUIT over it", True),
        ("lawsuit", "They face a ｌａｗｓｕｉｔ (full width)", True),
        ("data breach", "a Data  Breach? no: a data breach!", True),
        ("lawsuit", "lawsuits everywhere", False),  # whole words in spaced scripts
        ("炎上", "また炎上してる", True),  # substrings in Japanese
        ("ｴﾗｰ", "アプリのエラーが多い", True),  # half-width katakana, NFKC
    ],
)
def test_keyword_matching(keyword: str, text: str, hit: bool) -> None:
    assert bool(keyword_pattern(keyword).search(normalise(text))) is hit


def test_keywords_alert_regardless_of_sentiment(db: Factory) -> None:
    store_mention(db, negative=0.1, text="Acme is facing a lawsuit, apparently.")
    store_mention(db, negative=0.1, text="Acme is fine.")
    rule = AlertRule("legal", ("Acme",), "#legal", keywords=("lawsuit", "炎上"))
    [alert] = queued(db, [rule])
    assert (alert.mention_id, alert.channel, alert.key) == (1, "#legal", "mention:1")


def test_filters_sources_languages_label_and_reach(db: Factory) -> None:
    store_mention(db, source="reviews", rating=1, rating_best=5, score=None,
                  comments=None)  # fmt: skip
    store_mention(db, source="reviews", rating=4, rating_best=5, score=None,
                  comments=None)  # fmt: skip
    store_mention(db, language="ja")
    store_mention(db, score=3, comments=1)
    store_mention(db, negative=0.6)
    reviews = AlertRule("bad-reviews", ("Acme",), "#reviews", sources=("reviews",),
                        max_rating=2.0)  # fmt: skip
    japanese = AlertRule("ja", ("Acme",), "#ja", languages=("ja",))
    big = AlertRule("big", ("Acme",), "#big", min_score=100, min_comments=50,
                    min_probability=0.9)  # fmt: skip
    got = {(a.channel, a.mention_id) for a in queued(db, [reviews, japanese, big])}
    # a review has no points (1), mention 4 reaches too few, mention 5 is 60% sure
    assert got == {("#reviews", 1), ("#ja", 3), ("#big", 3)}


def test_a_rule_with_only_max_rating_alerts_low_stars_whatever_the_text(
    db: Factory,
) -> None:
    review = {"source": "reviews", "score": None, "comments": None, "rating_best": 5}
    store_mention(db, negative=0.05, rating=1, **review)  # text reads positive
    store_mention(db, negative=0.05, rating=2, **review)
    store_mention(db, negative=0.95, rating=5, **review)  # text reads negative
    store_mention(db, negative=0.95, rating=3, **review)
    store_mention(db, negative=0.05, rating=4, rating_best=10, source="reviews",
                  score=None, comments=None)  # fmt: skip  # 4 of 10 = 2 of 5
    store_mention(db, negative=0.99)  # not a review: no rating to compare
    rule = AlertRule("low-stars", ("Acme",), "#reviews", max_rating=2)
    assert sorted(a.mention_id for a in queued(db, [rule])) == [1, 2, 5]


def test_a_verdict_from_the_stars_needs_no_probability(db: Factory) -> None:
    store_mention(db, negative=0.1, label="negative", label_source="stars",
                  rating=2, rating_best=5)  # fmt: skip
    store_mention(db, negative=0.1, label="negative", rating=2, rating_best=5)
    rule = AlertRule("neg", ("Acme",), "#pr", min_probability=0.6)
    assert [a.mention_id for a in queued(db, [rule])] == [1]


def test_one_alert_per_channel_urgent_rule_wins(db: Factory) -> None:
    store_mention(db, text="Acme lawsuit filed")
    plain = AlertRule("plain", ("Acme",), "#pr", mode="digest")
    urgent = AlertRule("urgent", ("Acme",), "#pr", keywords=("lawsuit",), urgent=True)
    other = AlertRule("other", ("Acme",), "#exec")
    alerts = queued(db, [plain, urgent, other])
    assert {(a.channel, a.rule, a.urgent) for a in alerts} == {
        ("#pr", "urgent", True),
        ("#exec", "other", False),
    }
    again = queued(db, [plain, urgent, other])  # idempotent
    assert [a.id for a in again] == [a.id for a in alerts]


def test_quiet_hours_hold_until_the_next_digest(db: Factory, slack_deliverer) -> None:
    store_mention(db, text="Acme lawsuit")
    window = DeliveryWindow("Asia/Tokyo", time(20), time(8), (time(9), time(18)))
    calm = AlertRule("calm", ("Acme",), "#calm")
    loud = AlertRule("loud", ("Acme",), "#loud", urgent=True)
    alerts = queued(db, [calm, loud], window=window, now=NOW, lookback=EVER)
    # 21:00 Tokyo is quiet: held until 09:00 Tokyo, which is 00:00 UTC.
    assert {a.channel: a.deliver_after for a in alerts} == {
        "#calm": datetime(2026, 11, 24, 0, 0, tzinfo=UTC),
        "#loud": None,
    }
    deliverer = slack_deliverer("xoxb-ok")
    assert deliver_pending(db, deliverer, clock=lambda: NOW).sent == 1
    later = datetime(2026, 11, 24, 0, 1, tzinfo=UTC)
    assert deliver_pending(db, deliverer, clock=lambda: later).sent == 1


def test_window_edges() -> None:
    window = DeliveryWindow("Europe/Berlin", time(22), time(7))
    assert window.is_quiet(datetime(2026, 11, 23, 21, 30, tzinfo=UTC))  # 22:30
    assert not window.is_quiet(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # 07:00
    rule = AlertRule("r", ("Acme",), "#a")
    # No digest times: held until the end of the quiet hours, 07:00 Berlin.
    assert window.hold_until(rule, datetime(2026, 11, 23, 23, 0, tzinfo=UTC)) == (
        datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": "angry"}, "label 'angry'"),
        ({"min_probability": 1.5}, "min_probability 1.5"),
        ({"max_rating": 6.0}, "max_rating"),
        ({"keywords": "lawsuit"}, "keywords must be a list"),
        ({"channel": "brand alerts"}, "is not a Slack channel"),
    ],
)
def test_bad_rules_are_refused(fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"name": "r", "brands": ("Acme",), "channel": "#a"}
    with pytest.raises(RuleError, match=message):
        AlertRule(**{**values, **fields})  # type: ignore[arg-type]
