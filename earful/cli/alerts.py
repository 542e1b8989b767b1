"""Alert commands: ``earful alerts handle ID`` and ``earful alerts list``."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from alerts import AlertError, SlackDeliverer, handle, outbox_rows
from earful.cli.common import CONFIG_OPTION, DB_OPTION, load
from earful.config import Config
from storage import StorageError, open_database
from storage.models import AlertState

STATES = {
    "pending": (AlertState.PENDING,),
    "failed": (AlertState.FAILED,),
    "sent": (AlertState.SENT,),
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


@alerts_group.command("handle")
@click.argument("alert_id", type=int)
@click.option("--by", "by", help="Who handled it (default: your login name).")
@CONFIG_OPTION
@DB_OPTION
def handle_command(
    alert_id: int, by: str | None, config_path: Path, database_url: str | None
) -> None:
    """Mark alert ALERT_ID's mention handled and update its Slack messages.

    The messages get a "Handled by NAME" line through chat.update, which needs
    the bot token; with a webhook only the database records it.
    """
    config = load(config_path, database_url)
    try:
        sessions = open_database(config.database_url)
        report = handle(
            sessions, alert_id, by=by or _default_handler(), updater=_updater(config)
        )
    except (AlertError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Mention {report.mention_id} marked handled; "
        f"{report.updated} Slack message{'s' * (report.updated != 1)} updated."
    )
    for error in report.errors:
        click.echo(f"  warning: {error}")


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
