"""The alert outbox: queue alerts before sending, then deliver each exactly once.

``enqueue`` writes one ``pending`` row per (mention, channel) in the caller's
transaction; ``deliver_pending`` sends them one at a time and commits after each,
so a crash loses at most the alert in flight. The window between Slack accepting
a message and the commit is the only place a message can be sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from alerts.deliver import Deliverer
from alerts.errors import (
    DeliveryError,
    PermanentDeliveryError,
    SlackConfigError,
)
from alerts.render import render
from alerts.rules import AlertRule
from storage.models import Alert, AlertState, Mention, utcnow
from storage.queries import alert_candidates, count_by_state, pending_alerts

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one ``deliver_pending`` run did, with one readable line per problem."""

    sent: int = 0
    failed: int = 0
    still_pending: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing failed and the run was not stopped."""
        return not self.errors and not self.stopped


def _insert_pending(session: Session, mention_id: int, rule: AlertRule) -> bool:
    """Insert a pending alert unless (mention, channel) already has one; True if new."""
    values = {
        "mention_id": mention_id,
        "rule": rule.name,
        "channel": rule.channel,
        "state": AlertState.PENDING,
        "attempts": 0,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    stmt: Insert
    if dialect == "postgresql":
        stmt = postgresql.insert(Alert).values(values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(Alert).values(values).on_conflict_do_nothing()
    else:  # no ON CONFLICT: a savepoint keeps the caller's transaction usable
        try:
            with session.begin_nested():
                session.add(Alert(**values))
        except IntegrityError:
            return False
        return True
    result = session.execute(stmt.returning(Alert.id))
    return result.scalar_one_or_none() is not None


def enqueue(session: Session, rules: Sequence[AlertRule], *, model_id: str) -> int:
    """Queue a pending alert for every new negative mention each rule matches.

    A mention gets at most one alert per channel, even when two rules (or two
    processes racing) pick it: the database's unique key on (mention, channel)
    decides, and a conflict is skipped rather than raised. The caller commits.
    Returns how many alerts were created.
    """
    created = 0
    for rule in rules:
        candidates = alert_candidates(
            session,
            model_id=model_id,
            brands=rule.brands,
            min_negative=rule.min_negative,
            channel=rule.channel,
        )
        for mention, _score in candidates:
            if _insert_pending(session, mention.id, rule):
                created += 1
        log.debug("rule %s: %d candidates", rule.name, len(candidates))
    return created


def _claim(session: Session, alert_id: int) -> Alert | None:
    """The alert if still pending, locked on PostgreSQL against a parallel sender."""
    stmt = (
        select(Alert)
        .options(
            joinedload(Alert.mention).selectinload(Mention.matches),
            joinedload(Alert.mention).selectinload(Mention.sentiments),
        )
        .where(Alert.id == alert_id, Alert.state == AlertState.PENDING)
        .with_for_update(skip_locked=True, of=Alert)
    )
    return session.scalars(stmt).unique().one_or_none()


def _record_failure(
    alert: Alert, exc: DeliveryError, report: DeliveryReport, max_attempts: int
) -> None:
    alert.last_error = exc.code
    if isinstance(exc, SlackConfigError):
        return  # the operator's problem, not the alert's: it keeps its attempts
    alert.attempts += 1
    if isinstance(exc, PermanentDeliveryError):
        alert.state = AlertState.FAILED
        report.failed += 1
        report.errors.append(f"alert {alert.id} failed: {exc}")
    elif alert.attempts >= max_attempts:
        alert.state = AlertState.FAILED
        report.failed += 1
        report.errors.append(
            f"alert {alert.id} failed after {alert.attempts} attempts: {exc}"
        )
    else:
        report.errors.append(
            f"alert {alert.id} not delivered (attempt {alert.attempts} of "
            f"{max_attempts}): {exc}"
        )


def _deliver_one(
    alert: Alert,
    deliverer: Deliverer,
    report: DeliveryReport,
    max_attempts: int,
) -> None:
    try:
        delivery = deliverer.deliver(alert, render(alert))
    except DeliveryError as exc:
        log.warning("alert %s to %s: %s", alert.id, alert.channel, exc)
        _record_failure(alert, exc, report, max_attempts)
        if isinstance(exc, SlackConfigError):
            report.stopped = True
            report.errors.append(f"{exc}; delivery stopped, alerts stay pending")
        return
    alert.state = AlertState.SENT
    alert.attempts += 1
    alert.slack_channel = delivery.channel
    alert.slack_ts = delivery.ts
    alert.sent_at = utcnow()
    alert.last_error = None
    report.sent += 1


def deliver_pending(
    session_factory: sessionmaker[Session],
    deliverer: Deliverer,
    *,
    max_attempts: int = 5,
    limit: int = 100,
) -> DeliveryReport:
    """Send up to ``limit`` pending alerts, oldest first, committing after each.

    A transient failure (network, 5xx or 429 after the client's retries) keeps
    the alert pending with ``attempts`` and ``last_error``; after
    ``max_attempts`` it is failed. A permanent refusal (channel not found, bot
    not in channel, invalid blocks) fails it at once. A credentials problem
    (``invalid_auth`` and kin) stops the run and leaves every alert pending.
    A sent alert is never sent again. ``still_pending`` counts the whole outbox.
    """
    report = DeliveryReport()
    with session_factory() as session:
        ids = [alert.id for alert in pending_alerts(session, limit=limit)]
    for alert_id in ids:
        with session_factory() as session, session.begin():
            alert = _claim(session, alert_id)
            if alert is not None:
                _deliver_one(alert, deliverer, report, max_attempts)
        if report.stopped:
            break
    with session_factory() as session:
        report.still_pending = count_by_state(session).get(AlertState.PENDING.value, 0)
    return report


def retry_failed(session: Session, *, channel: str | None = None) -> int:
    """Put failed alerts (of ``channel``, or all) back to pending with fresh attempts."""
    stmt = select(Alert).where(Alert.state == AlertState.FAILED)
    if channel is not None:
        stmt = stmt.where(Alert.channel == channel)
    alerts = list(session.scalars(stmt))
    for alert in alerts:
        alert.state = AlertState.PENDING
        alert.attempts = 0
    return len(alerts)
