"""The alert outbox: queue alerts before sending, one per (mention, channel).

``enqueue`` writes one ``pending`` row per (mention, channel) in the caller's
transaction, choosing one rule per channel when several match, and holding
non-urgent alerts through quiet hours via ``deliver_after``. ``alerts.send``
delivers them. Spike, flood and digest alerts use ``alerts.queue.insert_alert``
with their own key.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from alerts.flood import fold_floods
from alerts.queue import insert_alert
from alerts.rules import AlertRule, route
from alerts.why import reason
from alerts.window import DeliveryWindow
from storage.models import (
    Alert,
    AlertKind,
    AlertState,
    BrandMatch,
    Mention,
    SentimentResult,
    utcnow,
)

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)
MAX_THREAD_KEY = 512


def thread_key(mention: Mention) -> str | None:
    """The incident a mention belongs to: its thread, else its page without fragment."""
    if mention.thread_id:
        return f"{mention.source}:{mention.thread_id}"[:MAX_THREAD_KEY]
    if not mention.url:
        return None
    parts = urlsplit(mention.url)
    page = urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, "", ""))
    return page[:MAX_THREAD_KEY]


def _candidates(
    session: Session, rules: Sequence[AlertRule], model_id: str, since: datetime
) -> list[tuple[Mention, SentimentResult | None]]:
    """Recent, unhandled mentions of the rules' brands, with this model's score."""
    brands = sorted({b for rule in rules for b in rule.brands})
    stmt = (
        select(Mention, SentimentResult)
        .outerjoin(
            SentimentResult,
            (SentimentResult.mention_id == Mention.id)
            & (SentimentResult.model_id == model_id),
        )
        .options(selectinload(Mention.matches))
        .where(
            Mention.id.in_(
                select(BrandMatch.mention_id).where(BrandMatch.brand.in_(brands))
            ),
            Mention.handled_at.is_(None),
            or_(Mention.collected_at >= since, SentimentResult.scored_at >= since),
        )
        .order_by(Mention.id)
    )
    return [(m, s) for m, s in session.execute(stmt).all()]


def _alerted(session: Session, mention_ids: Sequence[int]) -> set[tuple[int, str]]:
    stmt = select(Alert.mention_id, Alert.channel).where(
        Alert.mention_id.in_(mention_ids)
    )
    return {(m, c) for m, c in session.execute(stmt).all() if m is not None}


def enqueue(
    session: Session,
    rules: Sequence[AlertRule],
    *,
    model_id: str,
    window: DeliveryWindow | None = None,
    now: datetime | None = None,
    lookback: timedelta = LOOKBACK,
) -> int:
    """Queue a pending alert for every recent mention a rule matches.

    A mention gets at most one alert per channel, even when several rules (or
    two processes racing) pick it: urgent rules win, then immediate ones, then
    the first in config order, and the database's unique key on (mention,
    channel) settles races. The caller commits. Returns how many were created.
    """
    if not rules:
        return 0
    now = now or utcnow()
    window = window or DeliveryWindow()
    pairs = _candidates(session, rules, model_id, now - lookback)
    done = _alerted(session, [m.id for m, _ in pairs])
    planned = []
    for mention, score in pairs:
        names = [m.brand for m in mention.matches]
        matching = [r for r in rules if r.matches(mention, names, score)]
        for rule in route(rules, matching):
            if (mention.id, rule.channel) in done:
                continue
            why = reason(rule, mention, score)
            values: dict[str, Any] = {
                "key": f"mention:{mention.id}",
                "mention_id": mention.id,
                "rule": rule.name,
                "channel": rule.channel,
                "urgent": rule.urgent,
                "thread_key": thread_key(mention),
                "deliver_after": window.hold_until(rule, now),
                "payload": {"why": why},
            }
            planned.append((rule, mention, score, values))
    folded, created = fold_floods(session, planned, now)
    for i, (_rule, _mention, _score, values) in enumerate(planned):
        if i in folded:  # told by the incident message, never posted itself
            values["state"] = AlertState.FOLDED
            values["payload"] = {**values["payload"], "incident": folded[i]}
        created += insert_alert(session, values)
    log.debug("%d alerts queued from %d candidates", created, len(pairs))
    return created


def requeue_failed(
    session: Session, *, channel: str | None = None, since: datetime | None = None
) -> list[Alert]:
    """Put failed alerts (of ``channel``, created since ``since``) back to pending.

    They start again with fresh attempts; their ``last_error`` stays, so the
    sender still looks for a message an earlier attempt may have left in Slack
    before posting. Returns the requeued alerts, oldest first.
    """
    stmt = select(Alert).where(Alert.state == AlertState.FAILED).order_by(Alert.id)
    if channel is not None:
        stmt = stmt.where(Alert.channel == channel)
    if since is not None:
        stmt = stmt.where(Alert.created_at >= since)
    alerts = list(session.scalars(stmt))
    for alert in alerts:
        alert.state = AlertState.PENDING
        alert.attempts = 0
        alert.next_attempt_at = None
    return alerts


def retry_failed(session: Session, *, channel: str | None = None) -> int:
    """Put failed alerts (of ``channel``, or all) back to pending; how many."""
    return len(requeue_failed(session, channel=channel))


def outbox_rows(
    session: Session, states: Sequence[AlertState], *, limit: int = 100
) -> list[Alert]:
    """Alerts in ``states``, newest first: what ``earful alerts list`` shows."""
    stmt = (
        select(Alert)
        .where(Alert.state.in_(list(states)))
        .order_by(Alert.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def _held(now: datetime) -> Select[Alert]:
    return select(Alert).where(
        Alert.state == AlertState.PENDING,
        Alert.kind == AlertKind.MENTION,
        Alert.deliver_after > now,
    )


def retime_held(
    session: Session,
    rules: Sequence[AlertRule],
    window: DeliveryWindow,
    now: datetime | None = None,
) -> int:
    """Hold pending mention alerts by the quiet hours as configured now; how many moved.

    An alert queued under an older config (quiet hours since removed or
    changed, a rule made urgent) is released or re-timed, instead of waiting
    for a time no config holds any more. Alerts of rules no longer configured
    keep their time.
    """
    now = now or utcnow()
    by_name = {rule.name: rule for rule in rules}
    moved = 0
    for alert in session.scalars(_held(now)):
        rule = by_name.get(alert.rule)
        if rule is None:
            continue
        until = window.hold_until(rule, now)
        if until != alert.deliver_after:
            alert.deliver_after = until
            moved += 1
    return moved


def release_held(
    session: Session, case_ids: Sequence[int] = (), now: datetime | None = None
) -> list[Alert]:
    """Make held mention alerts (of ``case_ids``, or all) due now; oldest first."""
    now = now or utcnow()
    stmt = _held(now).order_by(Alert.id)
    if case_ids:
        stmt = stmt.where(Alert.mention_id.in_(list(case_ids)))
    alerts = list(session.scalars(stmt))
    for alert in alerts:
        alert.deliver_after = None
    return alerts


def case_alerts(session: Session, case_id: int) -> list[Alert]:
    """Every alert about case (mention) ``case_id``, oldest first."""
    stmt = select(Alert).where(Alert.mention_id == case_id).order_by(Alert.id)
    return list(session.scalars(stmt))
