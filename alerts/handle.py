"""Change a case (owner, state) and show it on every Slack message about it.

A case's number is its mention's id: Slack, the CLI, the dashboard, the
response statistics and the exports all show it as ``case 18``. An alert's
own number (the outbox row) is accepted only written ``a7``, so the two can
never be confused. "Mark handled", the older single action, is ``resolve``:
the case's ``resolved`` state and the mention's handled flag move together
(``storage.cases``).

Every Slack message about a case shows its state as of its last rewrite
(``payload["shown_at"]``) and keeps the controls it was sent with
(``payload["controls"]``), whoever rewrites it. A change made where Slack
cannot be edited (no bot token) or made by a collector is shown by
``refresh_cases``, which every delivery run calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.deliver import SlackDeliverer
from alerts.errors import AlertError, DeliveryError
from alerts.recount import Updater
from alerts.render import render
from storage.cases import Actor, CaseError, Via, change
from storage.ids import parse_id
from storage.models import Alert, AlertKind, AlertState, Case, CaseState, Mention

MAX_HANDLER = 100
REFRESH_WINDOW = timedelta(days=2)  # cases changed since then are checked
_ALERT_REF = re.compile(r"(?:a|alert[ :-]?)([0-9]{1,10})", re.ASCII | re.IGNORECASE)
_CASE_REF = re.compile(r"(?:#|case[ :-]?)?([0-9]{1,10})", re.ASCII | re.IGNORECASE)


@dataclass
class HandleReport:
    """What a case change did: the case, its state, messages updated, problems."""

    mention_id: int
    state: str = ""
    owner: str | None = None
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    reopened: bool = False  # an owner was given to a resolved case


@dataclass(frozen=True, slots=True)
class CaseChange:
    """What to change: the state, the owner (with their Slack id), or both."""

    state: CaseState | None = None
    owner: str | None = None
    owner_slack_id: str | None = None


def mention_of_alert(session: Session, alert_id: int) -> int:
    """The case (mention id) of mention alert ``alert_id``; AlertError otherwise."""
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


def case_number(session: Session, ref: str) -> int:
    """The case ``ref`` names: ``18``, ``#18`` or ``case 18``; ``a7`` is alert 7's."""
    ref = ref.strip()
    if (old := _ALERT_REF.fullmatch(ref)) and (alert_id := parse_id(old[1])):
        return mention_of_alert(session, alert_id)
    found = _CASE_REF.fullmatch(ref)
    number = parse_id(found[1]) if found else None
    if number is None:
        msg = f"{ref!r} is not a case number: use the number Slack shows (case 18)"
        raise AlertError(msg)
    if session.get(Mention, number) is None:
        msg = f"case {number} not found: see `earful alerts list`"
        raise AlertError(msg)
    return number


def apply(
    sessions: sessionmaker[Session],
    case_id: int,
    what: CaseChange,
    actor: Actor,
    *,
    updater: SlackDeliverer | None,
    buttons: bool = False,
    now: datetime | None = None,
) -> HandleReport:
    """Apply ``what`` to case ``case_id``; rewrite its Slack messages.

    Giving a resolved case an owner reopens it (in progress): someone is on
    it again. Every channel's message about the case is updated with
    ``chat.update``, with the controls it was sent with (or those
    ``buttons`` asks for: a Socket Mode listener answers them). Without a bot
    token (``updater`` None) the change is recorded and the next delivery
    run shows it.
    """
    with sessions() as session, session.begin():
        state = what.state
        current = session.get(Case, case_id)
        reopen = (
            state is None
            and what.owner is not None
            and current is not None
            and current.state == CaseState.RESOLVED
        )
        try:
            case = change(
                session,
                case_id,
                actor,
                state=CaseState.IN_PROGRESS if reopen else state,
                owner=what.owner,
                owner_slack_id=what.owner_slack_id,
                now=now,
            )
        except CaseError as exc:
            raise AlertError(str(exc)) from None
        report = HandleReport(case_id, case.state.value, case.owner, reopened=reopen)
    update_messages(sessions, report, updater, buttons=buttons)
    return report


def _sent(session: Session, mention_id: int) -> list[Alert]:
    stmt = select(Alert).where(
        Alert.mention_id == mention_id,
        Alert.state == AlertState.SENT,
        Alert.slack_ts.is_not(None),
    )
    return list(session.scalars(stmt.order_by(Alert.id)))


def had_controls(alert: Alert) -> bool:
    """Whether the alert's message was sent with the case's controls."""
    return bool((alert.payload or {}).get("controls"))


def note_shown(alert: Alert, case: Case | None, *, controls: bool) -> None:
    """Record what the alert's Slack message now shows: the case as of now."""
    shown: dict[str, object] = {"controls": controls or had_controls(alert)}
    if case is not None:
        shown["shown_at"] = case.updated_at.isoformat()
    alert.payload = {**(alert.payload or {}), **shown}


def _rewrite(
    session: Session, alert: Alert, updater: Updater, *, buttons: bool
) -> None:
    """Rewrite one sent message from the case as stored; DeliveryError if refused."""
    controls = buttons or had_controls(alert)
    where = alert.slack_channel or alert.channel
    updater.update(where, str(alert.slack_ts), render(alert, handle_button=controls))
    note_shown(alert, session.get(Case, alert.mention_id), controls=controls)


def update_messages(
    sessions: sessionmaker[Session],
    report: HandleReport,
    updater: Updater | None,
    *,
    buttons: bool,
) -> None:
    """Rewrite every sent Slack message about case ``report.mention_id``."""
    with sessions() as session, session.begin():
        sent = _sent(session, report.mention_id)
        if updater is None:
            if sent:
                report.errors.append(
                    "Slack messages not updated now: editing them needs a bot token "
                    "(SLACK_BOT_TOKEN); `earful run` with one updates them next"
                )
            return
        for alert in sent:
            try:
                _rewrite(session, alert, updater, buttons=buttons)
            except DeliveryError as exc:
                report.errors.append(
                    f"case {report.mention_id} in {alert.channel}: {exc}"
                )
            else:
                report.updated += 1


def _stale(alert: Alert, case: Case) -> bool:
    shown = (alert.payload or {}).get("shown_at")
    if shown is None:
        return alert.sent_at is None or case.updated_at > alert.sent_at
    return case.updated_at > datetime.fromisoformat(shown)


def refresh_cases(
    sessions: sessionmaker[Session], updater: object, now: datetime, *, buttons: bool
) -> tuple[int, list[str]]:
    """Rewrite each Slack message older than its case's last change; (updated, errors).

    Catches what no one could show at once: a reply a collector saw, a change
    made without a bot token. Cases changed in the last two days are checked;
    deliverers that cannot edit are skipped.
    """
    if not isinstance(updater, Updater):
        return 0, []
    stmt = (
        select(Alert.id, Alert.mention_id)
        .join(Case, Case.mention_id == Alert.mention_id)
        .where(
            Alert.kind == AlertKind.MENTION,
            Alert.state == AlertState.SENT,
            Alert.slack_ts.is_not(None),
            Case.updated_at >= now - REFRESH_WINDOW,
        )
        .order_by(Alert.id)
    )
    updated, errors = 0, []
    with sessions() as session:
        rows = session.execute(stmt).all()
    for alert_id, case_id in rows:
        with sessions() as session, session.begin():
            alert = session.get_one(Alert, alert_id)
            if not _stale(alert, session.get_one(Case, case_id)):
                continue
            try:
                _rewrite(session, alert, updater, buttons=buttons)
            except DeliveryError as exc:
                errors.append(f"case {case_id} in {alert.channel} not updated: {exc}")
            else:
                updated += 1
    return updated, errors


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
    """Mark alert ``alert_id``'s case handled by ``by``: it is resolved."""
    actor = Actor(by.strip()[:MAX_HANDLER] or "someone", via)
    with sessions() as session:
        case_id = mention_of_alert(session, alert_id)
    return apply(
        sessions,
        case_id,
        CaseChange(state=CaseState.RESOLVED),
        actor,
        updater=updater,
        buttons=buttons,
        now=now,
    )
