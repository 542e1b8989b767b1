"""Floods: many negative mentions of one brand at once become one incident message.

Slack takes about one message a second per channel, so 10,000 mentions from
one crawl would be hours of backlog with the one message that matters (that
something big is happening) at its end. When a rule's new alerts for one brand
and channel, with the individual alerts it queued in the last
``flood_window`` seconds, exceed ``flood_threshold`` (or a spike or incident
message for that brand went to the channel within the window), an incident
alert is queued (kind ``spike``, so it goes before individual alerts) and the
new individual alerts are stored ``folded``: recorded under the incident's key,
never posted. The incident message names the count, the top examples and the
``earful mentions`` command that lists every one of them. Digest rules are
left alone: they batch already.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
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

MAX_EXAMPLES = 5
Planned = tuple[AlertRule, Mention, SentimentResult | None, dict[str, Any]]


def _open_incident(
    session: Session, channel: str, brand: str, since: datetime
) -> str | None:
    """The key of a spike or incident for ``brand`` sent to ``channel`` since ``since``."""
    stmt = select(Alert.key).where(
        Alert.kind == AlertKind.SPIKE,
        Alert.channel == channel,
        Alert.created_at >= since,
        or_(
            Alert.key.startswith(f"spike:{brand}:", autoescape=True),
            Alert.key.startswith(f"incident:{brand}:", autoescape=True),
        ),
    )
    return session.scalars(stmt.order_by(Alert.id).limit(1)).first()


def _recent_individual(
    session: Session, channel: str, brand: str, since: datetime
) -> int:
    stmt = select(func.count()).where(
        Alert.kind == AlertKind.MENTION,
        Alert.channel == channel,
        Alert.created_at >= since,
        Alert.state != AlertState.FOLDED,
        Alert.mention_id.in_(
            select(BrandMatch.mention_id).where(BrandMatch.brand == brand)
        ),
    )
    return session.scalar(stmt) or 0


def _example(mention: Mention, score: SentimentResult | None) -> dict[str, Any]:
    return {
        "title": mention.title or mention.text[:200],
        "url": mention.url,
        "source": mention.site_name or mention.source,
        "negative": round(score.negative, 3) if score else None,
        "reach": reach(mention),
    }


def _incident(
    session: Session,
    group: list[Planned],
    brand: str,
    now: datetime,
) -> tuple[str, int]:
    """Queue the incident alert for ``group``; its key and 1 if it is new."""
    rule = group[0][0]
    since = now - timedelta(seconds=rule.flood_window)
    ranked = sorted(group, key=lambda p: -(p[2].negative if p[2] else 0.0))
    key = f"incident:{brand}:{rule.channel}:{now:%Y-%m-%dT%H:%M}"[:200]
    payload = {
        "incident": True,
        "brand": brand,
        "since": since.strftime("%Y-%m-%dT%H:%M"),
        "end": now.strftime("%Y-%m-%d %H:%M UTC"),
        "count": len(group),
        "baseline": 0.0,
        "threshold": rule.flood_threshold,
        "window_min": round(rule.flood_window / 60),
        "examples": [_example(m, s) for _, m, s, _ in ranked[:MAX_EXAMPLES]],
    }
    values = {
        "kind": AlertKind.SPIKE,
        "key": key,
        "rule": rule.name,
        "channel": rule.channel,
        "urgent": True,
        "payload": payload,
    }
    return key, int(insert_alert(session, values))


def fold_floods(
    session: Session, planned: Sequence[Planned], now: datetime
) -> tuple[dict[int, str], int]:
    """Which of ``planned`` to fold, by index, into which incident key.

    Also queues the incident alerts; returns (folded, incidents created).
    """
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (rule, mention, _score, _values) in enumerate(planned):
        if rule.mode == "digest":
            continue
        named = {m.brand for m in mention.matches}
        brand = next((b for b in rule.brands if b in named), rule.brands[0])
        groups.setdefault((rule.channel, brand), []).append(i)
    folded: dict[int, str] = {}
    created = 0
    for (channel, brand), indexes in groups.items():
        group = [planned[i] for i in indexes]
        rule = group[0][0]
        since = now - timedelta(seconds=rule.flood_window)
        key = _open_incident(session, channel, brand, since)
        if key is None:
            recent = _recent_individual(session, channel, brand, since)
            if recent + len(group) <= rule.flood_threshold:
                continue
            key, new = _incident(session, group, brand, now)
            created += new
        folded.update(dict.fromkeys(indexes, key))
    return folded, created
