"""Mark an alerted mention handled, and show it on every Slack message about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import SlackDeliverer
from alerts.errors import AlertError, DeliveryError
from alerts.render import render
from storage.models import Alert, AlertKind, AlertState, Mention, utcnow

MAX_HANDLER = 100


@dataclass
class HandleReport:
    """What ``handle`` did: the mention, messages updated, and problems."""

    mention_id: int
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _mark(session: Session, alert_id: int, by: str, now: datetime) -> int:
    alert = session.get(Alert, alert_id)
    if alert is None:
        msg = f"alert {alert_id} not found: see `earful alerts list`"
        raise AlertError(msg)
    if alert.kind != AlertKind.MENTION or alert.mention_id is None:
        msg = (
            f"alert {alert_id} is a {alert.kind} alert: only mention alerts are handled"
        )
        raise AlertError(msg)
    mention = session.get_one(Mention, alert.mention_id)
    mention.handled_at = now
    mention.handled_by = by.strip()[:MAX_HANDLER] or "someone"
    return mention.id


def handle(
    sessions: sessionmaker[Session],
    alert_id: int,
    *,
    by: str,
    updater: SlackDeliverer | None,
    now: datetime | None = None,
) -> HandleReport:
    """Mark alert ``alert_id``'s mention handled by ``by``; update its Slack messages.

    The handled state lives on the mention, so every channel's message about it
    is updated with ``chat.update``. Without a bot token (``updater`` None) the
    state is still recorded; webhook messages cannot be edited.
    """
    with sessions() as session, session.begin():
        mention_id = _mark(session, alert_id, by, now or utcnow())
    report = HandleReport(mention_id=mention_id)
    with sessions() as session:
        stmt = select(Alert).where(
            Alert.mention_id == mention_id,
            Alert.state == AlertState.SENT,
            Alert.slack_ts.is_not(None),
        )
        sent = list(session.scalars(stmt.order_by(Alert.id)))
        if updater is None:
            if sent:
                report.errors.append(
                    "Slack messages not updated: editing them needs a bot token "
                    "(SLACK_BOT_TOKEN); incoming webhooks cannot edit messages"
                )
            return report
        for alert in sent:
            channel, ts = alert.slack_channel or alert.channel, str(alert.slack_ts)
            try:
                updater.update(channel, ts, render(alert))
            except DeliveryError as exc:
                report.errors.append(f"alert {alert.id} in {alert.channel}: {exc}")
            else:
                report.updated += 1
    return report
