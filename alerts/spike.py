"""Spike detection: a brand's negative mentions in the last hour against its baseline.

Method: the baseline is the brand's hourly count of negative mentions over the
previous ``BASELINE_HOURS`` hours (a rolling week), mean ``m`` and standard
deviation ``sd``. The last hour is a spike when its count ``c`` satisfies::

    c >= max(min_count, m + k * max(sd, sqrt(m), 1))

The ``sqrt(m)`` floor is the Poisson noise of a count with mean ``m``, so a brand that
is usually quiet (``m`` and ``sd`` near 0) does not alert on two stray complaints; the
``min_count`` floor (default 5) keeps small numbers quiet whatever the history.
With ``k = 4`` a brand averaging 3 an hour needs 10 (Poisson tail ≈ 0.1 %, about
one false alarm in six weeks of hours).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.explain import explain
from alerts.queue import insert_alert
from alerts.render import reach
from alerts.rules import AlertRule
from storage.models import AlertKind, BrandMatch, Mention, SentimentResult

BASELINE_HOURS = 168
MIN_COUNT = 5
K_SIGMA = 4.0
MAX_EXAMPLES = 3


@dataclass(frozen=True)
class Spike:
    """A detected spike: the count, the baseline mean and the threshold it crossed."""

    count: int
    baseline: float
    threshold: float


def detect_spike(
    count: int,
    history: Sequence[int],
    *,
    k: float = K_SIGMA,
    min_count: int = MIN_COUNT,
) -> Spike | None:
    """A ``Spike`` when ``count`` exceeds the baseline of ``history``, else None."""
    mean = statistics.fmean(history) if history else 0.0
    sd = statistics.pstdev(history) if len(history) > 1 else 0.0
    threshold = max(float(min_count), mean + k * max(sd, math.sqrt(mean), 1.0))
    if count >= threshold:
        return Spike(count=count, baseline=mean, threshold=threshold)
    return None


def _negative_times(
    session: Session, brand: str, model_id: str, since: datetime
) -> list[tuple[Mention, SentimentResult, datetime]]:
    when = func.coalesce(Mention.published_at, Mention.collected_at)
    stmt = (
        select(Mention, SentimentResult, when)
        .join(SentimentResult, SentimentResult.mention_id == Mention.id)
        .join(BrandMatch, BrandMatch.mention_id == Mention.id)
        .where(
            BrandMatch.brand == brand,
            SentimentResult.model_id == model_id,
            SentimentResult.label == "negative",
            when >= since,
        )
    )
    return [(m, s, t) for m, s, t in session.execute(stmt).all()]


def hourly_counts(
    times: Sequence[datetime], end: datetime, hours: int = BASELINE_HOURS
) -> tuple[int, list[int]]:
    """(count in the hour before ``end``, counts of each of the ``hours`` before it)."""
    buckets = [0] * (hours + 1)
    for t in times:
        age = int((end - t).total_seconds() // 3600)
        if 0 <= age <= hours:
            buckets[age] += 1
    return buckets[0], buckets[1:]


def _example(mention: Mention, score: SentimentResult) -> dict[str, object]:
    return {
        "title": mention.title or mention.text[:200],
        "url": mention.url,
        "source": mention.site_name or mention.source,
        "negative": round(score.negative, 3),
        "reach": reach(mention),
    }


def enqueue_spikes(
    session: Session, rules: Sequence[AlertRule], *, model_id: str, now: datetime
) -> int:
    """Queue one spike alert per brand, hour and channel for each brand that spikes.

    Spikes go to the channel of every rule that watches the brand, at once
    (quiet hours do not hold them). The key ``spike:<brand>:<hour>`` makes a
    second run in the same hour a no-op. Returns how many alerts were created.
    """
    created = 0
    for brand in sorted({b for r in rules for b in r.brands}):
        rows = _negative_times(
            session, brand, model_id, now - timedelta(hours=BASELINE_HOURS + 1)
        )
        count, history = hourly_counts([t for _, _, t in rows], now)
        spike = detect_spike(count, history)
        if spike is None:
            continue
        recent = [(m, s, t) for m, s, t in rows if now - t < timedelta(hours=1)]
        recent.sort(key=lambda r: (-r[1].negative, now - r[2]))  # then newest first
        before = [m for m, _, t in rows if timedelta(hours=1) <= now - t]
        why = explain([m for m, _, _ in recent], before, model_id=model_id,
                      hours=BASELINE_HOURS)  # fmt: skip
        payload = {
            "brand": brand,
            "end": now.strftime("%Y-%m-%d %H:%M UTC"),
            "count": spike.count,
            "baseline": round(spike.baseline, 2),
            "threshold": round(spike.threshold, 2),
            "examples": [_example(m, s) for m, s, _ in recent[:MAX_EXAMPLES]],
            "why": why,
        }
        hour = now.strftime("%Y-%m-%dT%H")
        for channel in dict.fromkeys(r.channel for r in rules if brand in r.brands):
            rule = next(r for r in rules if r.channel == channel and brand in r.brands)
            created += insert_alert(
                session,
                {
                    "kind": AlertKind.SPIKE,
                    "key": f"spike:{brand}:{hour}"[:200],
                    "rule": rule.name,
                    "channel": channel,
                    "urgent": True,
                    "payload": payload,
                },
            )
    return created
