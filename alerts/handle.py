"""Change an alerted mention's case (owner, state) and show it on every Slack message.

"Mark handled", the older single action, is ``resolve``: the case's
``resolved`` state and the mention's handled flag move together
(``storage.cases``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import SlackDeliverer
from alerts.errors import AlertError, DeliveryError
from alerts.render import render
from storage.cases import Actor, CaseError, Via, change
from storage.models import Alert, AlertKind, AlertState, CaseState

MAX_HANDLER = 100


@dataclass
class HandleReport:
    """What a case change did: the mention, its state, messages updated, problems."""

    mention_id: int
    state: str = ""
    owner: str | None = None
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CaseChange:
    """What to change: the state, the owner (with their Slack id), or both."""

    state: CaseState | None = None
    owner: str | None = None
    owner_slack_id: str | None = None


def mention_of_alert(session: Session, alert_id: int) -> int:
    """The mention id of mention alert ``alert_id``; AlertError otherwise."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        msg = f"alert {alert_id} not found: see `earful alerts list`"
        raise AlertError(msg)
    if alert.kind != AlertKind.MENTION or alert.mention_id is None:
        msg = (
            f"alert {alert_id} is a {alert.kind} alert: only mention alerts are handled"
        )
        raise AlertError(msg)
    return alert.mention_id


def apply(
    sessions: sessionmaker[Session],
    alert_id: int,
    what: CaseChange,
    actor: Actor,
    *,
    updater: SlackDeliverer | None,
    buttons: bool = False,
    now: datetime | None = None,
) -> HandleReport:
    """Apply ``what`` to alert ``alert_id``'s case; rewrite its Slack messages.

    The case lives on the mention, so every channel's message about it is
    updated with ``chat.update``, keeping the workflow's controls when
    ``buttons`` (a Socket Mode listener answers them). Without a bot token
    (``updater`` None) the change is still recorded; webhook messages cannot be
    edited.
    """
    with sessions() as session, session.begin():
        mention_id = mention_of_alert(session, alert_id)
        try:
            case = change(
                session,
                mention_id,
                actor,
                state=what.state,
                owner=what.owner,
                owner_slack_id=what.owner_slack_id,
                now=now,
            )
        except CaseError as exc:
            raise AlertError(str(exc)) from None
        report = HandleReport(mention_id, case.state.value, case.owner)
    update_messages(sessions, report, updater, buttons=buttons)
    return report


def update_messages(
    sessions: sessionmaker[Session],
    report: HandleReport,
    updater: SlackDeliverer | None,
    *,
    buttons: bool,
) -> None:
    """Rewrite every sent Slack message about ``report.mention_id``."""
    with sessions() as session:
        stmt = select(Alert).where(
            Alert.mention_id == report.mention_id,
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
            return
        for alert in sent:
            channel, ts = alert.slack_channel or alert.channel, str(alert.slack_ts)
            try:
                updater.update(channel, ts, render(alert, handle_button=buttons))
            except DeliveryError as exc:
                report.errors.append(f"alert {alert.id} in {alert.channel}: {exc}")
            else:
                report.updated += 1


def handle(
    sessions: sessionmaker[Session],
    alert_id: int,
    *,
    by: str,
    updater: SlackDeliverer | None,
    now: datetime | None = None,
    via: Via = "cli",
    buttons: bool = False,
) -> HandleReport:
    """Mark alert ``alert_id``'s mention handled by ``by``: its case is resolved."""
    actor = Actor(by.strip()[:MAX_HANDLER] or "someone", via)
    return apply(
        sessions,
        alert_id,
        CaseChange(state=CaseState.RESOLVED),
        actor,
        updater=updater,
        buttons=buttons,
        now=now,
    )
