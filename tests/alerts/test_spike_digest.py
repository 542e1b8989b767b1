"""Spike detection on synthetic series, spike and digest alerts rendered and sent."""

from __future__ import annotations

import io
import json
import random
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts import (
    AlertRule,
    ConsoleDeliverer,
    build_digest,
    deliver_pending,
    detect_spike,
    enqueue,
    enqueue_digests,
    enqueue_spikes,
    escape_mrkdwn,
)
from alerts.spike import hourly_counts
from storage.models import Alert
from tests.alerts.conftest import MODEL, RULE, store_mention
from tests.alerts.test_render import HOSTILE
from tests.servers.slack import SlackServer

Factory = sessionmaker[Session]


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw by counting exponential gaps (no numpy needed)."""
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def test_known_spike_is_found_in_a_noisy_series() -> None:
    rng = random.Random(6)  # noqa: S311 - a reproducible synthetic series
    history = [poisson(rng, 3.0) for _ in range(168)]
    spike = detect_spike(20, history)
    assert spike is not None
    assert 2.5 < spike.baseline < 3.5
    assert spike.threshold < 20


def test_a_quiet_series_stays_quiet() -> None:
    rng = random.Random(7)  # noqa: S311 - a reproducible synthetic series
    history = [poisson(rng, 3.0) for _ in range(169)]
    # Every hour of the series itself, judged against the hours before it.
    alarms = [h for h in range(24, 169) if detect_spike(history[h], history[:h])]
    assert alarms == []


def test_small_numbers_never_alert() -> None:
    assert detect_spike(3, [0] * 168) is None  # below min_count
    assert detect_spike(4, [0] * 167 + [1]) is None
    assert detect_spike(5, [0] * 168) is not None  # five at once from nothing


def test_hourly_counts_buckets_by_age() -> None:
    end = datetime(2026, 11, 23, 12, tzinfo=UTC)
    times = [end - timedelta(minutes=m) for m in (1, 59, 61, 125, 60 * 200)]
    current, history = hourly_counts(times, end, hours=3)
    assert (current, history) == (2, [1, 1, 0])


def test_spike_alert_end_to_end(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    now = datetime.now(UTC)
    for n in range(6):
        store_mention(
            db,
            title=f"{HOSTILE[n % 5]} outage {n}",
            published_at=now - timedelta(minutes=n),
        )
    store_mention(db, published_at=now - timedelta(days=2))
    with db() as session, session.begin():
        assert enqueue_spikes(session, [RULE], model_id=MODEL, now=now) == 1
        assert enqueue_spikes(session, [RULE], model_id=MODEL, now=now) == 0
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    [post] = slack.calls("chat.postMessage")
    wire = json.dumps(post.payload, ensure_ascii=False)
    assert post.payload["text"].startswith(
        "Negative spike: 6 mentions of Acme in 1 h (baseline 0.0); "
        "mostly r/acme (6); top terms "
    )
    for hostile in HOSTILE:
        assert hostile not in wire
    assert escape_mrkdwn("<!channel> outage 0") in wire
    examples = post.payload["blocks"][3]["text"]["text"]
    assert examples.startswith("*Examples*\n")
    assert examples.count("\n• ") == 3  # three of the six, one line each


def test_quiet_brand_gets_no_spike(db: Factory) -> None:
    now = datetime.now(UTC)
    for n in range(3):
        store_mention(db, published_at=now - timedelta(minutes=n))
    with db() as session, session.begin():
        assert enqueue_spikes(session, [RULE], model_id=MODEL, now=now) == 0


def test_digest_counts_top_negatives_and_share_of_voice(db: Factory) -> None:
    start = datetime(2026, 11, 22, 9, tzinfo=UTC)
    at = start + timedelta(hours=3)
    store_mention(db, published_at=at, followers=10, title="small")
    store_mention(db, published_at=at, followers=5000, title="big", source="reviews")
    store_mention(db, published_at=at, negative=0.1, title="fine")
    store_mention(db, published_at=at, brands=("Globex",))
    store_mention(db, published_at=start - timedelta(hours=1))  # before the period
    with db() as session:
        digest = build_digest(
            session, "Acme", competitors=["Globex", "Initech"], model_id=MODEL,
            start=start, end=start + timedelta(days=1),
        )  # fmt: skip
    assert digest["total"] == 3
    assert digest["by_sentiment"] == {"negative": 2, "neutral": 1}
    assert digest["by_source"] == {"r/acme": 3}
    assert [t["title"] for t in digest["top_negative"]] == ["big", "small"]
    assert digest["share_of_voice"] == [
        {"brand": "Acme", "mentions": 3, "share": 0.75},
        {"brand": "Globex", "mentions": 1, "share": 0.25},
        {"brand": "Initech", "mentions": 0, "share": 0.0},
    ]


def test_digest_goes_out_first_with_held_alerts_in_its_thread(
    db: Factory, slack: SlackServer, slack_deliverer
) -> None:
    now = datetime.now(UTC)
    store_mention(db, published_at=now - timedelta(hours=1), title="<!here> held")
    rule = AlertRule("daily", ("Acme",), "#brand-alerts", mode="digest")
    with db() as session, session.begin():
        enqueue(session, [rule], model_id=MODEL)
    with db() as session:
        [held] = session.scalars(select(Alert))
        assert held.deliver_after is not None  # no digest times: due at once
    with db() as session, session.begin():
        created = enqueue_digests(
            session, [rule], competitors=[], model_id=MODEL,
            start=now - timedelta(days=1), end=datetime.now(UTC),
        )  # fmt: skip
        assert created == 1
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 2
    digest, reply = (c.payload for c in slack.calls("chat.postMessage"))
    assert digest["text"].startswith("Digest for Acme: 1 mentions")
    assert "&lt;!here&gt; held" in json.dumps(digest)
    assert reply["thread_ts"] == slack.history[next(iter(slack.history))][0]["ts"]


def test_console_shows_spikes_without_control_characters(db: Factory) -> None:
    now = datetime.now(UTC)
    for n in range(5):
        store_mention(db, title=f"\x1b[31mred\x1b[0m {n}", published_at=now)
    with db() as session, session.begin():
        enqueue_spikes(session, [RULE], model_id=MODEL, now=now)
    stream = io.StringIO()
    assert deliver_pending(db, ConsoleDeliverer(stream)).sent == 1
    out = stream.getvalue()
    first = out.splitlines()[0]
    assert first.startswith(
        "=== Negative spike: 5 mentions of Acme in 1 h (baseline 0.0); mostly r/acme (5)"
    )
    assert first.endswith(" → #brand-alerts")
    assert "\x1b" not in out
    assert len(re.findall(r"\|red \d>", out)) == 3  # three examples, escapes gone
