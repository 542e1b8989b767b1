"""Alert commands: ``handle``/``assign``/``reply``/``resolve`` ID, ``list``, ``retry``, ``listen``."""

from __future__ import annotations

import getpass
import logging
import signal
import threading
from pathlib import Path
from types import FrameType

import click

from alerts import (
    AlertError,
    CaseChange,
    HandleReport,
    SlackDeliverer,
    SocketModeError,
    apply_change,
    outbox_rows,
    requeue_failed,
)
from earful.cli.analyst import parse_when
from earful.cli.common import CONFIG_OPTION, DB_OPTION, load
from earful.config import Config
from earful.logs import add_secret, setup_logging
from storage import StorageError, open_database
from storage.cases import Actor
from storage.models import AlertState, CaseState

STATES = {
    "pending": (AlertState.PENDING,),
    "failed": (AlertState.FAILED,),
    "sent": (AlertState.SENT,),
    "folded": (AlertState.FOLDED,),
    "open": (AlertState.PENDING, AlertState.FAILED),
}


def _updater(config: Config) -> SlackDeliverer | None:
    token = config.slack_token
    if token is None:
        return None
    return SlackDeliverer(token.get_secret_value(), base_url=config.slack.base_url)


def _default_handler() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "cli"


@click.group("alerts")
def alerts_group() -> None:
    """Inspect the alert outbox and mark alerts handled."""


BY_OPTION = click.option("--by", "by", help="Who does it (default: your login name).")


def _change(
    config_path: Path,
    database_url: str | None,
    alert_id: int,
    what: CaseChange,
    by: str | None,
) -> HandleReport:
    """Apply ``what`` to the alert's case from the CLI; its Slack messages follow."""
    config = load(config_path, database_url)
    actor = Actor(by or _default_handler(), "cli")
    buttons = bool(config.slack_token and config.slack_app_token)
    try:
        sessions = open_database(config.database_url)
        return apply_change(
            sessions, alert_id, what, actor, updater=_updater(config), buttons=buttons
        )
    except (AlertError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None


def _echo_report(report: HandleReport, done: str) -> None:
    click.echo(
        f"Mention {report.mention_id} {done}; "
        f"{report.updated} Slack message{'s' * (report.updated != 1)} updated."
    )
    for error in report.errors:
        click.echo(f"  warning: {error}")


@alerts_group.command("handle")
@click.argument("alert_id", type=int)
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def handle_command(
    alert_id: int, by: str | None, config_path: Path, database_url: str | None
) -> None:
    """Mark alert ALERT_ID's mention handled (its case resolved); update Slack.

    The same as `earful alerts resolve`. The messages show the new state
    through chat.update, which needs the bot token; with a webhook only the
    database records it.
    """
    what = CaseChange(state=CaseState.RESOLVED)
    report = _change(config_path, database_url, alert_id, what, by)
    _echo_report(report, "marked handled")


@alerts_group.command("assign")
@click.argument("alert_id", type=int)
@click.argument("owner")
@click.option("--slack-id", help="The owner's Slack user id (U…), to mention them.")
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def assign_command(  # noqa: PLR0917 - click passes each option
    alert_id: int,
    owner: str,
    slack_id: str | None,
    by: str | None,
    config_path: Path,
    database_url: str | None,
) -> None:
    """Give alert ALERT_ID's case to OWNER; a new case becomes in progress."""
    what = CaseChange(owner=owner, owner_slack_id=slack_id)
    report = _change(config_path, database_url, alert_id, what, by)
    _echo_report(report, f"assigned to {report.owner}")


@alerts_group.command("reply")
@click.argument("alert_id", type=int)
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def reply_command(
    alert_id: int, by: str | None, config_path: Path, database_url: str | None
) -> None:
    """Record that alert ALERT_ID's mention was answered in public (replied)."""
    what = CaseChange(state=CaseState.REPLIED)
    report = _change(config_path, database_url, alert_id, what, by)
    _echo_report(report, "replied")


@alerts_group.command("resolve")
@click.argument("alert_id", type=int)
@BY_OPTION
@CONFIG_OPTION
@DB_OPTION
def resolve_command(
    alert_id: int, by: str | None, config_path: Path, database_url: str | None
) -> None:
    """Resolve alert ALERT_ID's case: the customer was satisfied or updated the review."""
    what = CaseChange(state=CaseState.RESOLVED)
    report = _change(config_path, database_url, alert_id, what, by)
    _echo_report(report, "resolved")


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
        sessions = open_database(config.database_url)
        with sessions() as session:
            rows = outbox_rows(session, STATES[state], limit=limit)
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    if not rows:
        click.echo(f"No {state} alerts.")
        return
    for a in rows:
        due = a.next_attempt_at or a.deliver_after
        when = f" next {due:%Y-%m-%d %H:%M} UTC" if due and a.state == "pending" else ""
        click.echo(
            f"{a.id:>6}  {a.state:<7}  {a.kind:<7}  {a.channel}  "
            f"attempts={a.attempts}{when}  last_error={a.last_error or '-'}"
        )


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
        sessions = open_database(config.database_url)
        with sessions() as session, session.begin():
            requeued = requeue_failed(session, channel=channel, since=after)
            lines = [
                f"{a.id:>6}  {a.kind:<7}  {a.channel}  last_error={a.last_error or '-'}"
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
