"""Handled: ``earful alerts handle`` records who and edits the Slack message; ``list``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from alerts import (
    AlertError,
    AlertRule,
    SendPolicy,
    SlackDeliverer,
    WebhookDeliverer,
    deliver_pending,
    handle,
)
from earful.cli import main
from storage.cases import case_events
from storage.models import Mention
from tests.alerts.conftest import NO_PACING
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]


def test_handle_updates_the_message_in_slack(
    db: Factory,
    queue: Callable[..., int],
    slack: SlackServer,
    slack_deliverer,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue(author="<!channel>")
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    args = ["alerts", "handle", "1", "--by", "<@U1> Dana", "--config", str(config_file)]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.output) == (
        0,
        "Case 1 marked handled; 1 Slack message updated.\n",
    )
    [update] = slack.calls("chat.update")
    [message] = slack.history[channel_id("#brand-alerts")]
    assert update.payload["ts"] == message["ts"]
    assert message["blocks"] == update.payload["blocks"]
    assert {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": ":white_check_mark: *resolved* · owner &lt;@U1&gt; Dana · since "
            + update_time(db),
        },
    } in message["blocks"]


def test_assign_reply_resolve_from_the_cli_in_japanese(
    db: Factory,
    queue: Callable[..., int],
    slack: SlackServer,
    slack_deliverer,
    config_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue(title="配送が遅い", text="Acmeの注文が三週間届かない")
    assert deliver_pending(db, slack_deliverer("xoxb-ok")).sent == 1
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-ok")
    config = ["--config", str(config_file)]
    runner = CliRunner()
    steps = [
        (["assign", "1", "佐藤", "--slack-id", "U0G9QF9C6", "--by", "lead"],
         "Case 1 assigned to 佐藤; 1 Slack message updated.\n"),
        (["reply", "1", "--by", "佐藤"], "Case 1 replied; 1 Slack message updated.\n"),
        (["resolve", "1", "--by", "佐藤"],
         "Case 1 resolved; 1 Slack message updated.\n"),
        (["resolve", "a7"], "Error: alert 7 not found: see `earful alerts list`\n"),
        (["resolve", "7"], "Error: case 7 not found: see `earful alerts list`\n"),
    ]  # fmt: skip
    for args, output in steps:
        result = runner.invoke(main, ["alerts", *args, *config])
        assert result.output == output
    [message] = slack.history[channel_id("#brand-alerts")]
    line = message["blocks"][-2]["text"]["text"]
    assert line.startswith(":white_check_mark: *resolved* · owner <@U0G9QF9C6> · ")
    with db() as session:
        events = [
            (e.actor, e.via, e.from_state, e.to_state, e.owner)
            for e in case_events(session, 1)
        ]
        assert session.get_one(Mention, 1).handled_by == "佐藤"
    assert events == [
        ("lead", "cli", "new", "in_progress", "佐藤"),
        ("佐藤", "cli", "in_progress", "replied", "佐藤"),
        ("佐藤", "cli", "replied", "resolved", "佐藤"),
    ]


def update_time(db: Factory) -> str:
    with db() as session:
        mention = session.get_one(Mention, 1)
        assert mention.handled_by == "<@U1> Dana"
        assert mention.handled_at is not None
        return mention.handled_at.strftime("%Y-%m-%d %H:%M UTC")


def test_handle_without_a_token_records_and_says_so(
    db: Factory, queue: Callable[..., int], slack: SlackServer
) -> None:
    queue()
    deliver_pending(db, WebhookDeliverer(slack.hook_url("ok"), pacer=NO_PACING))
    report = handle(db, 1, by="dana", updater=None)
    assert (report.mention_id, report.updated, report.errors) == (1, 0, [])
    with pytest.raises(AlertError, match="alert 9 not found"):
        handle(db, 9, by="dana", updater=None)


def test_list_shows_pending_and_failed_with_last_error(
    db: Factory,
    queue: Callable[..., int],
    slack_deliverer,
    config_file: Path,
) -> None:
    queue(rule=AlertRule("gone", ("Acme",), "#nope"))
    deliver_pending(db, slack_deliverer("xoxb-ok"))
    result = CliRunner().invoke(main, ["alerts", "list", "--config", str(config_file)])
    assert (result.exit_code, result.output) == (
        0,
        (
            "case 1      a1     failed   mention  #nope  attempts=1  "
            "last_error=channel_not_found\n"
        ),
    )
    result = CliRunner().invoke(
        main, ["alerts", "list", "--state", "pending", "--config", str(config_file)]
    )
    assert result.output == "No pending alerts.\n"


def test_retry_requeues_failed_alerts_and_never_doubles_them(
    db: Factory, queue: Callable[..., int], slack: SlackServer, config_file: Path
) -> None:
    queue()
    queue()
    failing = SlackDeliverer(
        "xoxb-store500_2", base_url=slack.api_url, server_error_retries=0,
        pacer=NO_PACING,
    )  # fmt: skip
    report = deliver_pending(db, failing, policy=SendPolicy(max_attempts=1))
    assert report.failed == 2  # Slack kept both posts, then answered 500
    args = ["alerts", "retry", "--since", "1h", "--config", str(config_file)]
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.output) == (
        0,
        (
            "case 1      a1     mention  #brand-alerts  last_error=fatal_error\n"
            "case 2      a2     mention  #brand-alerts  last_error=fatal_error\n"
            "2 failed alerts queued again.\n"
        ),
    )
    ok = SlackDeliverer("xoxb-ok", base_url=slack.api_url, pacer=NO_PACING)
    report = deliver_pending(db, ok)
    assert (report.sent, report.recovered) == (2, 2)  # found by key, not re-posted
    assert len(slack.posts("#brand-alerts")) == 2
    again = CliRunner().invoke(main, args)
    assert (again.exit_code, again.output) == (0, "0 failed alerts queued again.\n")


def test_retry_rejects_a_bad_since(config_file: Path) -> None:
    args = ["alerts", "retry", "--since", "yesterday", "--config", str(config_file)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "'yesterday' is not a date" in result.output
