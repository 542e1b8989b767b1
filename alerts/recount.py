"""Keep a flood's incident message true: its count grows as more mentions fold in.

A flood is scored and queued batch by batch, so its incident (or spike)
message first goes out with the count of the first batch (256 of a
10,000-mention flood), and every later batch is folded under its key. The
running count is read from the database (the mentions folded under the key),
never kept in memory, so a restart neither loses nor repeats it. Once per
delivery pass, each sent incident whose count moved is rewritten in place with
``chat.update``; one whose count did not move costs no call. A crash between
the update and its commit repeats the same update on the next pass, which
changes nothing in Slack.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from alerts.errors import DeliveryError, PermanentDeliveryError
from alerts.render import SlackMessage
from alerts.summary import render_alert
from storage.models import Alert, AlertKind, AlertState

log = logging.getLogger(__name__)

REFRESH_WINDOW = timedelta(days=1)
"""Incidents sent longer ago than this are left as they are."""


@runtime_checkable
class Updater(Protocol):
    """A deliverer that can rewrite a message it posted (the Slack Web API can)."""

    def update(self, channel: str, ts: str, message: SlackMessage) -> None:
        """Replace the message at ``ts`` in ``channel`` with ``message``."""
        ...


def folded_count(session: Session, alert: Alert) -> int:
    """How many mention alerts are folded under ``alert``'s key in its channel.

    They are all written after it (in its transaction or a later one), so only
    rows with a higher id are read, not every folded alert ever kept.
    """
    stmt = select(func.count()).where(
        Alert.id > alert.id,
        Alert.state == AlertState.FOLDED,
        Alert.channel == alert.channel,
        Alert.payload["incident"].as_string() == alert.key,
    )
    return session.scalar(stmt) or 0


def shown_count(alert: Alert) -> int:
    """The count the alert's payload holds: what its message says."""
    return int((alert.payload or {}).get("count", 0))


def running_count(session: Session, alert: Alert) -> int:
    """The mentions an incident stands for: at least every one folded under it.

    A spike's own count (the hour's negative mentions when it was detected)
    already covers the mentions folded in that same pass, so the larger of the
    two is the count, never their sum.
    """
    return max(shown_count(alert), folded_count(session, alert))


def recount(session: Session, alert: Alert, now: datetime) -> bool:
    """Set a spike or incident's payload count to its running count; True if it moved."""
    if alert.kind != AlertKind.SPIKE or not alert.key:
        return False
    count = running_count(session, alert)
    if count == shown_count(alert):
        return False
    payload = alert.payload or {}
    alert.payload = {
        **payload,
        "first_count": payload.get("first_count", shown_count(alert)),
        "count": count,
        "updated": now.strftime("%Y-%m-%d %H:%M UTC"),
    }
    return True


def _sent_incidents(session: Session, now: datetime) -> list[int]:
    stmt = select(Alert.id).where(
        Alert.kind == AlertKind.SPIKE,
        Alert.state == AlertState.SENT,
        Alert.slack_ts.is_not(None),
        Alert.sent_at >= now - REFRESH_WINDOW,
    )
    return list(session.scalars(stmt.order_by(Alert.id)))


def refresh_incidents(
    sessions: sessionmaker[Session], updater: object, now: datetime
) -> tuple[int, list[str]]:
    """Rewrite each recent incident message whose count moved; (updated, errors).

    Deliverers that cannot edit (webhooks, the console) are skipped. An
    incident whose message Slack refuses for good (deleted, channel archived)
    keeps its last count and is not tried again.
    """
    if not isinstance(updater, Updater):
        return 0, []
    updated, errors = 0, []
    with sessions() as session:
        ids = _sent_incidents(session, now)
    for alert_id in ids:
        with sessions() as session:
            alert = session.get_one(Alert, alert_id)
            if (alert.payload or {}).get("update_refused") or not recount(
                session, alert, now
            ):
                continue
            where = alert.slack_channel or alert.channel
            try:
                updater.update(where, str(alert.slack_ts), render_alert(alert))
            except DeliveryError as exc:
                log.warning("incident %s in %s not updated: %s", alert.id, where, exc)
                errors.append(f"incident {alert.id} not updated in Slack: {exc}")
                session.rollback()
                if not isinstance(exc, PermanentDeliveryError):
                    continue
                alert = session.get_one(Alert, alert_id)
                alert.payload = {**(alert.payload or {}), "update_refused": exc.code}
            else:
                updated += 1
            session.commit()
    return updated, errors
