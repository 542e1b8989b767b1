"""Case commands beside ``earful alerts``: ``show`` one case, ``release`` held alerts."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session

from alerts import (
    AlertError,
    case_alerts,
    case_number,
    deliver_pending,
    release_held,
)
from alerts.render import sentiment_line, source_line
from alerts.why import because
from earful.cli.common import (
    CONFIG_OPTION,
    DB_OPTION,
    database,
    load,
    open_pipeline,
    terminal_safe,
)
from storage import StorageError
from storage.cases import case_events
from storage.models import Alert, AlertState, Case, Mention, utcnow

TEXT_SHOWN = 200


@click.command("show")
@click.argument("case")
@CONFIG_OPTION
@DB_OPTION
def show_command(case: str, config_path: Path, database_url: str | None) -> None:
    """Show case CASE: its state and owner, the mention, each alert and why it fired.

    CASE is the case number Slack shows (18, or an old alert number as a7).
    """
    config = load(config_path, database_url)
    try:
        with database(config.database_url) as sessions, sessions() as session:
            case_id = case_number(session, case)
            lines = _case_lines(session.get_one(Mention, case_id), session)
    except (AlertError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(terminal_safe(line))


def _case_lines(mention: Mention, session: Session) -> list[str]:
    case: Case | None = mention.case
    if case is None:
        head = f"Case {mention.id}: not alerted, nobody has acted on it"
    else:
        state = case.state.value.replace("_", " ")
        head = f"Case {mention.id}: {state}, owner {case.owner or 'nobody yet'}"
    text = " ".join(f"{mention.title or ''} {mention.text}".split())
    lines = [
        head,
        f"  {source_line(mention)}  {mention.url or ''}".rstrip(),
        f"  {text[:TEXT_SHOWN]}{'…' * (len(text) > TEXT_SHOWN)}",
    ]
    alerts = case_alerts(session, mention.id)
    if alerts:
        lines.append(f"  sentiment: {sentiment_line(alerts[0], None)}")
    now = utcnow()
    lines += [f"  {_alert_line(a, now)}" for a in alerts]
    if case is not None:
        for e in case_events(session, mention.id):
            lines.append(
                f"  {e.at:%Y-%m-%d %H:%M} UTC  {e.actor} via {e.via}: "
                f"{e.from_state} → {e.to_state}, owner {e.owner or '-'}"
            )
    return lines


def _alert_line(alert: Alert, now: datetime) -> str:
    """``a7 #brand-alerts sent 2026-12-07 09:00 UTC · why: …``."""
    if alert.state == AlertState.SENT and alert.sent_at is not None:
        status = f"sent {alert.sent_at:%Y-%m-%d %H:%M} UTC"
    elif (
        alert.state == AlertState.PENDING
        and alert.deliver_after is not None
        and alert.deliver_after > now
    ):
        status = f"held until {alert.deliver_after:%Y-%m-%d %H:%M} UTC"
    else:
        status = alert.state.value
    why = because((alert.payload or {}).get("why")) or f"rule {alert.rule}"
    return f"a{alert.id} {alert.channel} {status} · why: {why}"


@click.command("release")
@click.argument("cases", nargs=-1)
@CONFIG_OPTION
@DB_OPTION
def release_command(
    cases: tuple[str, ...], config_path: Path, database_url: str | None
) -> None:
    """Send held alerts now (quiet hours, digest rules): those of CASES, or all.

    CASES are case numbers as Slack shows them (18, or an old alert number as a7).
    """
    config = load(config_path, database_url)
    pipeline = open_pipeline(config)
    try:
        with pipeline.sessions() as session, session.begin():
            ids = [case_number(session, ref) for ref in cases]
            released = [
                f"case {a.mention_id}: a{a.id} to {a.channel} released"
                for a in release_held(session, ids)
            ]
        report = deliver_pending(
            pipeline.sessions, pipeline.deliverer(), policy=pipeline.send_policy()
        )
    except (AlertError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        pipeline.close()
    for line in released:
        click.echo(terminal_safe(line))
    n = len(released)
    click.echo(
        f"{n} held alert{'s' * (n != 1)} released; {report.sent} delivered to "
        f"{pipeline.delivery_target()}, {report.failed} failed."
    )
    for error in report.errors:
        click.echo(f"  alert error: {error}")
