"""Digests: per brand and period, counts by sentiment and source, top negatives, share of voice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.queue import insert_alert
from alerts.render import reach
from alerts.rules import AlertRule
from storage.models import (
    Alert,
    AlertKind,
    AlertState,
    BrandMatch,
    Mention,
    SentimentResult,
)
from storage.response import response_times, unanswered

TOP_NEGATIVE = 5


def _in_period(start: datetime, end: datetime) -> list[Any]:
    when = func.coalesce(Mention.published_at, Mention.collected_at)
    return [when >= start, when < end]


def _mentions(
    session: Session, brand: str, model_id: str, start: datetime, end: datetime
) -> list[tuple[Mention, SentimentResult | None]]:
    stmt = (
        select(Mention, SentimentResult)
        .join(BrandMatch, BrandMatch.mention_id == Mention.id)
        .outerjoin(
            SentimentResult,
            (SentimentResult.mention_id == Mention.id)
            & (SentimentResult.model_id == model_id),
        )
        .where(BrandMatch.brand == brand, *_in_period(start, end))
    )
    return [(m, s) for m, s in session.execute(stmt).all()]


def _reach_key(mention: Mention) -> tuple[int, int, int]:
    return (mention.followers or 0, mention.score or 0, mention.comments or 0)


def share_of_voice(
    session: Session, brands: Sequence[str], start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Mentions of each of ``brands`` in the period and their share of the total."""
    stmt = (
        select(BrandMatch.brand, func.count(func.distinct(Mention.id)))
        .join(Mention, Mention.id == BrandMatch.mention_id)
        .where(BrandMatch.brand.in_(list(brands)), *_in_period(start, end))
        .group_by(BrandMatch.brand)
    )
    found = {str(row[0]): int(row[1]) for row in session.execute(stmt)}
    counts = dict.fromkeys(brands, 0) | found
    total = sum(counts.values())
    return [
        {"brand": b, "mentions": n, "share": round(n / total, 3) if total else 0.0}
        for b, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def build_digest(
    session: Session,
    brand: str,
    *,
    competitors: Sequence[str],
    model_id: str,
    start: datetime,
    end: datetime,
    response_target_s: float | None = None,
) -> dict[str, Any]:
    """The digest payload for ``brand`` over [``start``, ``end``).

    With ``response_target_s``, it also says how fast the period's alerts were
    answered (``response``).
    """
    rows = _mentions(session, brand, model_id, start, end)
    by_sentiment = Counter(s.label if s else "not scored" for _, s in rows)
    by_source = Counter(m.site_name or m.source for m, _ in rows)
    negative = [(m, s) for m, s in rows if s is not None and s.label == "negative"]
    negative.sort(key=lambda ms: _reach_key(ms[0]), reverse=True)
    top = [
        {
            "title": m.title or m.text[:200],
            "url": m.url,
            "source": m.site_name or m.source,
            "negative": round(s.negative, 3),
            "reach": reach(m),
        }
        for m, s in negative[:TOP_NEGATIVE]
    ]
    return {
        "brand": brand,
        "start": start.strftime("%Y-%m-%d %H:%M UTC"),
        "end": end.strftime("%Y-%m-%d %H:%M UTC"),
        "total": len(rows),
        "by_sentiment": dict(by_sentiment),
        "by_source": dict(by_source),
        "top_negative": top,
        "share_of_voice": share_of_voice(
            session, [brand, *[c for c in competitors if c != brand]], start, end
        ),
        **(
            {
                "response": response_summary(
                    session, brand, start, end, response_target_s
                )
            }
            if response_target_s is not None
            else {}
        ),
    }


def response_summary(
    session: Session, brand: str, start: datetime, end: datetime, target_s: float
) -> dict[str, Any]:
    """How fast ``brand``'s mentions alerted in the period were answered."""
    rows = response_times(
        session,
        since=start,
        until=end,
        by="source_type",
        target_s=target_s,
        brand=brand,
    )
    alerted = sum(r.alerted for r in rows)
    replied = sum(r.replied for r in rows)
    in_time = sum(r.within_target for r in rows)
    waits = [(r.alert_to_reply_s, r.replied) for r in rows if r.alert_to_reply_s]
    mean = sum(s * n for s, n in waits) / replied if replied and waits else None
    oldest = unanswered(session, limit=1, brand=brand)
    return {
        "target_s": target_s,
        "alerted": alerted,
        "replied": replied,
        "within_target": in_time,
        "alert_to_reply_s": None if mean is None else round(mean, 1),
        "oldest_unanswered": (
            {
                "title": oldest[0].title or oldest[0].text[:200],
                "source": oldest[0].source,
                "published": oldest[0].published_at.strftime("%Y-%m-%d %H:%M UTC")
                if oldest[0].published_at
                else None,
                "state": oldest[0].state,
            }
            if oldest
            else None
        ),
    }


def enqueue_digests(
    session: Session,
    rules: Sequence[AlertRule],
    *,
    competitors: Sequence[str],
    model_id: str,
    start: datetime,
    end: datetime,
    response_target_s: float | None = None,
) -> int:
    """Queue one digest per brand and channel for the period, and thread held alerts.

    Every channel a rule sends to gets a digest of each brand its rules watch
    (key ``digest:<brand>:<end>``). Mention alerts held for this digest (quiet
    hours, digest-mode rules) are given the digest's thread, so they go out as
    replies under it right after it. Returns how many digests were created.
    """
    created = 0
    stamp = end.strftime("%Y-%m-%dT%H:%M")
    for channel in dict.fromkeys(r.channel for r in rules):
        chosen = [r for r in rules if r.channel == channel]
        brands = list(dict.fromkeys(b for r in chosen for b in r.brands))
        for brand in brands:
            payload = build_digest(
                session, brand, competitors=competitors, model_id=model_id,
                start=start, end=end, response_target_s=response_target_s,
            )  # fmt: skip
            created += insert_alert(
                session,
                {
                    "kind": AlertKind.DIGEST,
                    "key": f"digest:{brand}:{stamp}"[:200],
                    "rule": chosen[0].name,
                    "channel": channel,
                    "urgent": True,
                    "payload": payload,
                    # held alerts reply under the channel's first digest
                    "thread_key": f"digest:{stamp}" if brand == brands[0] else None,
                },
            )
        _thread_held(session, channel, f"digest:{stamp}", end)
    return created


def _thread_held(session: Session, channel: str, key: str, end: datetime) -> None:
    """Held mention alerts of ``channel`` due by ``end`` join the digest's thread."""
    stmt = select(Alert).where(
        Alert.channel == channel,
        Alert.state == AlertState.PENDING,
        Alert.kind == AlertKind.MENTION,
        Alert.deliver_after.is_not(None),
        Alert.deliver_after <= end,
    )
    for alert in session.scalars(stmt):
        alert.thread_key = key
