"""Alert commands: ``assign``/``reply``/``resolve``/``reopen``/``show`` CASE, ``list``, ``release``, ``retry``, ``listen``.

A case's number is its mention's id, as Slack shows it ("case 18"); an old
alert number is accepted written ``a7``.
"""

from __future__ import annotations

import getpass
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path
from types import FrameType

import click

from alerts import (
    AlertError,
    CaseChange,
    HandleReport,
    SocketModeError,
    apply_change,
    case_number,
    outbox_rows,
    requeue_failed,
)
from earful.cli.analyst import parse_when
from earful.cli.common import CONFIG_OPTION, DB_OPTION, database, load, slack_updater
from earful.logs import add_secret, setup_logging
from storage import StorageError, open_database
from storage.cases import Actor
from storage.models import Alert, AlertState, CaseState, utcnow

STATES = {
    "pending": (AlertState.PENDING,),
    "failed": (AlertState.FAILED,),
    "sent": (AlertState.SENT,),
    "folded": (AlertState.FOLDED,),
    "open": (AlertState.PENDING, AlertState.FAILED),
}


def _default_handler() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


@click.group("alerts")
def alerts_group() -> None:
    """Inspect the alert outbox and mark alerts handled."""


BY_OPTION = click.option("--by", "by", help="Who does it (default: your login name).")


CASE_ARG = click.argument("case")
CASE_HELP = "CASE is the case number Slack shows (18, or an old alert number as a7)."


def _change(
    config_path: Path,
    database_url: str | None,
    ref: str,
    what: CaseChange,
    by: str | None,
) -> HandleReport:
    """Apply ``what`` to case ``ref`` from the CLI; its Slack messages follow."""
    config = load(config_path, database_url)
    actor = Actor(by or _default_handler(), "cli")
    buttons = bool(config.slack_token and config.slack_app_token)
    try:
        sessions = open_database(config.database_url)
        with sessions() as session:
            case_id = case_number(session, ref)
        return apply_change(
            sessions,
            case_id,
            what,
            actor,
            updater=slack_updater(config),
            buttons=buttons,
        )
    except (AlertError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None


def _echo_report(report: HandleReport, done: str) -> None:
    if report.reopened:
        done = f"reopened (it was resolved) and {done}"
    click.echo(
        f"Case {report.mention_id} {done}; "
        f"{report.updated} Slack message{'s' * (report.updated != 1)} updated."
    )
    for error in report.errors:
        click.echo(f"  warning: {error}")


@alerts_group.command("handle")
@CASE_ARG
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def handle_command(
    case: str, by: str | None, config_path: Path, database_url: str | None
) -> None:
    """Mark case CASE handled (resolved); update Slack. The same as `resolve`.

    CASE is the case number Slack shows (18, or an old alert number as a7).
    The messages show the new state through chat.update, which needs the bot
    token; with a webhook only the database records it.
    """
    what = CaseChange(state=CaseState.RESOLVED)
    report = _change(config_path, database_url, case, what, by)
    _echo_report(report, "marked handled")


@alerts_group.command("assign")
@CASE_ARG
@click.argument("owner")
@click.option("--slack-id", help="The owner's Slack user id (U…), to mention them.")
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def assign_command(  # noqa: PLR0917 - click passes each option
    case: str,
    owner: str,
    slack_id: str | None,
    by: str | None,
    config_path: Path,
    database_url: str | None,
) -> None:
    """Give case CASE to OWNER; a new or resolved case becomes in progress.

    CASE is the case number Slack shows (18, or an old alert number as a7).
    """
    what = CaseChange(owner=owner, owner_slack_id=slack_id)
    report = _change(config_path, database_url, case, what, by)
    _echo_report(report, f"assigned to {report.owner}")


def _state_command(name: str, state: CaseState, done: str, summary: str) -> None:
    """Register ``earful alerts NAME CASE``: move the case to ``state``."""

    @alerts_group.command(name, help=f"{summary}\n\n{CASE_HELP}")
    @CASE_ARG
    @BY_OPTION
    @CONFIG_OPTION
    @DB_OPTION
    def command(
        case: str, by: str | None, config_path: Path, database_url: str | None
    ) -> None:
        report = _change(config_path, database_url, case, CaseChange(state=state), by)
        _echo_report(report, done)


_state_command(
    "reply",
    CaseState.REPLIED,
    "replied",
    "Record that case CASE was answered in public (replied).",
)
_state_command(
    "resolve",
    CaseState.RESOLVED,
    "resolved",
    "Resolve case CASE: the customer was satisfied or updated the review.",
)
_state_command(
    "reopen",
    CaseState.IN_PROGRESS,
    "reopened",
    "Reopen case CASE (in progress again), after it was replied or resolved.",
)


@alerts_group.command("list")
@click.option(
    "--state",
    type=click.Choice(sorted(STATES)),
    default="open",
    show_default=True,
    help="Which alerts: open means pending or failed.",
)
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@CONFIG_OPTION
@DB_OPTION
def list_command(
    state: str, limit: int, config_path: Path, database_url: str | None
) -> None:
    """List alerts in the outbox, newest first, with their last error."""
    config = load(config_path, database_url)
    try:
        with database(config.database_url) as sessions, sessions() as session:
            rows = outbox_rows(session, STATES[state], limit=limit)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    if not rows:
        click.echo(f"No {state} alerts.")
        return
    now = utcnow()
    for a in rows:
        click.echo(
            f"{_ids(a)}  {a.state:<7}  {a.kind:<7}  {a.channel}  "
            f"attempts={a.attempts}{_when(a, now)}  last_error={a.last_error or '-'}"
        )


def _ids(alert: Alert) -> str:
    """``case 18  a7``: the case users know, then the outbox row's own number."""
    case = f"case {alert.mention_id}" if alert.mention_id is not None else "-"
    return f"{case:<11} a{alert.id:<4}"


def _when(alert: Alert, now: datetime) -> str:
    """A pending alert's next time: held (quiet hours, digest) or its next retry."""
    if alert.state != AlertState.PENDING:
        return ""
    if alert.deliver_after is not None and alert.deliver_after > now:
        return f"  held until {alert.deliver_after:%Y-%m-%d %H:%M} UTC"
    if alert.next_attempt_at is not None:
        return f"  next {alert.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    return ""


@alerts_group.command("retry")
@click.option(
    "--since",
    help="Only alerts created at or after this: 2026-11-01, 2026-11-01T09:00, 12h, 7d.",
)
@click.option("--channel", help="Only alerts to this channel (as in the config).")
@CONFIG_OPTION
@DB_OPTION
def retry_command(
    since: str | None,
    channel: str | None,
    config_path: Path,
    database_url: str | None,
) -> None:
    """List failed alerts and queue them again (after fixing what failed them).

    They go out on the next delivery run (`earful run`), each at most once:
    Slack is searched for a copy an earlier attempt may have left first.
    """
    config = load(config_path, database_url)
    after = parse_when(since) if since else None
    try:
        with (
            database(config.database_url) as sessions,
            sessions() as session,
            session.begin(),
        ):
            requeued = requeue_failed(session, channel=channel, since=after)
            lines = [
                f"{_ids(a)}  {a.kind:<7}  {a.channel}  last_error={a.last_error or '-'}"
                for a in requeued
            ]
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)
    n = len(lines)
    click.echo(f"{n} failed alert{'s' * (n != 1)} queued again.")


@alerts_group.command("listen")
@CONFIG_OPTION
@DB_OPTION
def listen_command(config_path: Path, database_url: str | None) -> None:
    """Answer the "Mark handled" button in Slack until Ctrl-C or SIGTERM.

    Needs the bot token and the app-level token (SLACK_APP_TOKEN, Socket Mode).
    `earful run` listens by itself; this is for setups without the daemon, such
    as `earful run --once` from cron.
    """
    from earful.daemon import handle_listener  # noqa: PLC0415 - listen only

    config = load(config_path, database_url)
    setup_logging(logging.getLogger().getEffectiveLevel())
    for secret in config.secret_values():
        add_secret(secret)
    try:
        listener = handle_listener(config, open_database(config.database_url))
    except (SocketModeError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    if listener is None:
        msg = (
            f"set {config.slack.app_token_env} to the Slack app's app-level token "
            "(xapp-…) to answer the Mark handled button (see docs/alerts.md)"
        )
        raise click.ClickException(msg)
    stop = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    listener.start()
    click.echo("Listening for Mark handled clicks; Ctrl-C to stop.")
    try:
        while not (stop.is_set() or listener.gave_up.is_set()):
            stop.wait(0.5)  # a timeout, so Ctrl-C is seen
    except KeyboardInterrupt:
        pass
    finally:
        listener.close()
        signal.signal(signal.SIGTERM, previous)
    if listener.error is not None:
        raise click.ClickException(listener.error)
    click.echo("Stopped.")
