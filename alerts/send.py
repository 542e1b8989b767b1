"""Deliver the outbox exactly once: claim, post, record, and recover after a crash.

Each alert goes through two commits. The first claims it: ``attempts`` goes up
and ``next_attempt_at`` moves into the future (a lease no other sender takes).
The second records what Slack answered. A crash between Slack accepting a
message and the second commit leaves ``attempts > 0`` with no ``slack_ts``;
the next run then reads the channel's recent history (or the thread's replies)
for a message whose metadata carries the alert's key, and adopts it instead of
posting again. Incoming webhooks and the console cannot be searched: there,
such a crash may repeat one message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import Deliverer, Delivery, Recoverer
from alerts.errors import DeliveryError, PermanentDeliveryError, SlackConfigError
from alerts.handle import note_shown, refresh_cases
from alerts.pace import BACKOFF_BASE_S, backoff
from alerts.recount import recount, refresh_incidents
from alerts.summary import render_alert
from storage.cases import note_alerted
from storage.models import Alert, AlertKind, AlertState, utcnow

log = logging.getLogger(__name__)

THREAD_WINDOW = timedelta(hours=6)
Clock = Callable[[], datetime]
FaultHook = Callable[[Alert, Delivery], None]


@dataclass
class DeliveryReport:
    """What one ``deliver_pending`` run did, with one readable line per problem."""

    sent: int = 0
    failed: int = 0
    still_pending: int = 0
    due_left: int = 0  # pending and due now, but not sent in this run (the limit)
    recovered: int = 0
    incidents_updated: int = 0  # incident messages rewritten with a new count
    cases_updated: int = 0  # messages rewritten to show their case's last change
    held: int = 0  # pending, held by quiet hours or for the digest
    held_until: datetime | None = None  # when the first held alert goes
    errors: list[str] = field(default_factory=list)
    stopped: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing failed and the run was not stopped."""
        return not self.errors and not self.stopped


@dataclass(frozen=True)
class SendPolicy:
    """How to send: attempts before failing, backoff base, thread window, buttons.

    ``handle_button`` gives mention alerts a "Mark handled" button; set it only
    when a Socket Mode listener (``alerts.listen``) answers it.
    """

    max_attempts: int = 5
    backoff_base: float = BACKOFF_BASE_S
    thread_window: timedelta = THREAD_WINDOW
    handle_button: bool = False


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        Alert.state == AlertState.PENDING,
        or_(Alert.deliver_after.is_(None), Alert.deliver_after <= now),
        or_(Alert.next_attempt_at.is_(None), Alert.next_attempt_at <= now),
    ]


def held(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """How many pending alerts are held (quiet hours, digest) and the first release."""
    stmt = select(func.count(), func.min(Alert.deliver_after)).where(
        Alert.state == AlertState.PENDING, Alert.deliver_after > now
    )
    count, first = session.execute(stmt).one()
    return count or 0, first


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Pending alerts that may go now: spikes and incidents, digests, then the rest.

    Oldest first within each kind, so a flood's incident message never waits
    behind individual alerts.
    """
    kind_order = case(
        (Alert.kind == AlertKind.SPIKE, 0), (Alert.kind == AlertKind.DIGEST, 1), else_=2
    )
    stmt = select(Alert.id).where(*_due(now)).order_by(kind_order, Alert.id)
    return list(session.scalars(stmt.limit(limit)))


def _claim(session: Session, alert_id: int, now: datetime) -> Alert | None:
    """The alert if still due, locked on PostgreSQL against a parallel sender."""
    stmt = (
        select(Alert)
        .where(Alert.id == alert_id, *_due(now))
        .with_for_update(skip_locked=True, of=Alert)
    )
    return session.scalars(stmt).one_or_none()


def _known_channel_id(session: Session, alert: Alert) -> str:
    """The conversation ID of the alert's channel, if any earlier send revealed it."""
    if alert.channel.startswith("#"):
        stmt = select(Alert.slack_channel).where(
            Alert.channel == alert.channel, Alert.slack_channel.is_not(None)
        )
        known = session.scalars(stmt.limit(1)).first()
        return known or alert.channel
    return alert.channel


def _thread_root(session: Session, alert: Alert, since: datetime) -> str | None:
    """The ``ts`` to reply under: the first sent alert of the same incident."""
    if not alert.thread_key:
        return None
    stmt = (
        select(func.coalesce(Alert.thread_ts, Alert.slack_ts))
        .where(
            Alert.channel == alert.channel,
            Alert.thread_key == alert.thread_key,
            Alert.state == AlertState.SENT,
            Alert.slack_ts.is_not(None),
            Alert.sent_at >= since,
            Alert.id != alert.id,
        )
        .order_by(Alert.sent_at, Alert.id)
    )
    return session.scalars(stmt.limit(1)).first()


def _mark_sent(
    session: Session,
    alert: Alert,
    delivery: Delivery,
    now: datetime,
    controls: bool = False,
) -> None:
    """Record the send; a mention alert opens its case (the response clock starts).

    A mention alert's payload records that its message shows the case as of
    now, and whether with the case's controls (``alerts.handle``).
    """
    if alert.kind == AlertKind.MENTION and alert.mention_id is not None:
        note_shown(
            alert, note_alerted(session, alert.mention_id, now), controls=controls
        )
    alert.state = AlertState.SENT
    alert.slack_channel = delivery.channel or alert.slack_channel
    alert.slack_ts = delivery.ts
    alert.sent_at = now
    alert.last_error = None
    alert.next_attempt_at = None


def _record_failure(
    alert: Alert, exc: DeliveryError, report: DeliveryReport, policy: SendPolicy
) -> None:
    log.warning("alert %s to %s: %s", alert.id, alert.channel, exc)
    alert.last_error = exc.code
    if isinstance(exc, SlackConfigError):
        alert.attempts = max(
            alert.attempts - 1, 0
        )  # the setup's fault, not the alert's
        alert.next_attempt_at = None
        report.stopped = True
        report.errors.append(f"{exc}; delivery stopped, alerts stay pending")
    elif isinstance(exc, PermanentDeliveryError):
        alert.state = AlertState.FAILED
        report.failed += 1
        report.errors.append(f"alert {alert.id} failed: {exc}")
    elif alert.attempts >= policy.max_attempts:
        alert.state = AlertState.FAILED
        report.failed += 1
        report.errors.append(
            f"alert {alert.id} failed after {alert.attempts} attempts: {exc}"
        )
    else:
        report.errors.append(
            f"alert {alert.id} not delivered (attempt {alert.attempts} of "
            f"{policy.max_attempts}): {exc}"
        )


def _recover(
    session: Session, alert: Alert, prior_attempts: int, deliverer: Deliverer
) -> Delivery | None:
    """The message an earlier attempt may have posted unrecorded, found by its key.

    ``last_error`` counts as an earlier attempt too: a requeued failed alert
    starts again at zero attempts.
    """
    tried = prior_attempts > 0 or alert.last_error is not None
    if not tried or alert.slack_ts or not isinstance(deliverer, Recoverer):
        return None
    return deliverer.find(alert, _known_channel_id(session, alert))


def _send_one(
    sessions: sessionmaker[Session],
    alert_id: int,
    deliverer: Deliverer,
    report: DeliveryReport,
    context: tuple[SendPolicy, Clock, FaultHook | None],
) -> None:
    policy, clock, after_send = context
    with sessions() as session:
        with session.begin():  # first commit: claim it, and recover a lost send
            now = clock()
            alert = _claim(session, alert_id, now)
            if alert is None:
                return
            prior = alert.attempts
            alert.attempts += 1
            alert.next_attempt_at = now + backoff(alert.attempts, policy.backoff_base)
            try:
                found = _recover(session, alert, prior, deliverer)
            except DeliveryError as exc:
                _record_failure(alert, exc, report, policy)
                return
            if found is not None:
                log.info(
                    "alert %s was already in Slack: adopted %s", alert.id, found.ts
                )
                _mark_sent(session, alert, found, now, policy.handle_button)
                report.sent += 1
                report.recovered += 1
                return
            alert.thread_ts = alert.thread_ts or _thread_root(
                session, alert, now - policy.thread_window
            )
        with session.begin():  # second commit: what Slack answered
            alert = session.get_one(Alert, alert_id)
            recount(session, alert, clock())  # a flood's count as it stands now
            try:
                message = render_alert(alert, handle_button=policy.handle_button)
                delivery = deliverer.deliver(alert, message)
            except DeliveryError as exc:
                _record_failure(alert, exc, report, policy)
                return
            if after_send is not None:
                after_send(alert, delivery)
            _mark_sent(session, alert, delivery, clock(), policy.handle_button)
            report.sent += 1


def deliver_pending(
    session_factory: sessionmaker[Session],
    deliverer: Deliverer,
    *,
    policy: SendPolicy | None = None,
    limit: int = 100,
    clock: Clock = utcnow,
    after_send: FaultHook | None = None,
) -> DeliveryReport:
    """Send up to ``limit`` due alerts (digests first, then oldest), one commit each.

    A transient failure (network, 5xx or 429 after the client's retries) keeps
    the alert pending until ``next_attempt_at`` (exponential backoff with
    jitter); after ``policy.max_attempts`` it is failed. A permanent refusal
    (channel not found, bot not in channel, invalid blocks) fails it at once. A
    credentials problem (``invalid_auth`` and kin) stops the run and leaves
    every alert pending. A sent alert is never sent again. ``after_send`` runs
    after Slack accepted a message and before it is recorded: a test's fault
    hook. ``still_pending`` counts the whole outbox; ``due_left`` the alerts
    that could have gone now but did not (over ``limit``, or the run stopped).
    Then each sent incident message whose flood grew is rewritten with its new
    count (``alerts.recount``), once per run.
    """
    policy = policy or SendPolicy()
    report = DeliveryReport()
    with session_factory() as session:
        ids = due_ids(session, clock(), limit)
    for alert_id in ids:
        _send_one(
            session_factory, alert_id, deliverer, report, (policy, clock, after_send)
        )
        if report.stopped:
            break
    if not report.stopped:
        updated, errors = refresh_incidents(session_factory, deliverer, clock())
        report.incidents_updated, report.errors = updated, report.errors + errors
        updated, errors = refresh_cases(
            session_factory, deliverer, clock(), buttons=policy.handle_button
        )
        report.cases_updated, report.errors = updated, report.errors + errors
    with session_factory() as session:
        stmt = select(func.count()).where(Alert.state == AlertState.PENDING)
        report.still_pending = session.scalar(stmt) or 0
        report.due_left = (
            session.scalar(select(func.count()).where(*_due(clock()))) or 0
        )
        report.held, report.held_until = held(session, clock())
    return report
