"""The "Mark handled" button: real slack-bolt and slack-sdk against a local Socket Mode.

Alerts are posted to the local Slack Web API, a click arrives as an
``interactive`` envelope over a real WebSocket, and the listener must ack it,
record who clicked, and rewrite the message with ``chat.update``.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from alerts import HandleListener, SendPolicy, SocketModeError, deliver_pending
from alerts.listen import clicker
from earful.cli import main
from storage import open_database
from storage.models import Mention
from tests.servers.slack import SlackServer, channel_id

Factory = sessionmaker[Session]
REPO = Path(__file__).resolve().parents[2]
CHANNEL = "#brand-alerts"
APP_TOKEN = "xapp-1-A0KRD7HC3-7f3a9c2e51d04b6e"  # noqa: S105 - the local Slack's
DANA = {"id": "U061F7AUR", "username": "<!channel> dana", "name": "<!channel> dana"}
OPEN_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Open mention"},
    "url": "https://www.reddit.com/r/acme/comments/abc123/",
    "action_id": "open_mention",
}
TAKE_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Take it"},
    "style": "primary",
    "value": "1",
    "action_id": "earful_take",
}
ASSIGN_SELECT = {
    "type": "users_select",
    "placeholder": {"type": "plain_text", "text": "Assign to…"},
    "action_id": "earful_assign",
}
DRAFT_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Draft reply"},
    "value": "1",
    "action_id": "earful_draft",
}
REPLIED_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Replied"},
    "value": "1",
    "action_id": "earful_replied",
}
HANDLE_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Resolved"},
    "value": "1",
    "action_id": "earful_handle",
}
REOPEN_BUTTON = {
    "type": "button",
    "text": {"type": "plain_text", "text": "Reopen"},
    "value": "1",
    "action_id": "earful_reopen",
}


def actions(*elements: dict[str, object]) -> dict[str, object]:
    """The workflow's actions block of alert 1."""
    return {"type": "actions", "block_id": "earful_case_1", "elements": list(elements)}


# The mention conftest.store_mention stores, as render shows it (read by hand).
HEAD = [
    {
        "type": "header",
        "text": {"type": "plain_text", "text": "Negative mention of Acme"},
    },
    {
        "type": "section",
        "fields": [
            {"type": "mrkdwn", "text": "*Source*\nreddit-acme · r/acme"},
            {"type": "mrkdwn", "text": "*Sentiment*\nnegative (93%)"},
            {
                "type": "mrkdwn",
                "text": "*Why*\nnegative 93% (the model) · rule acme-negative",
            },
            {"type": "mrkdwn", "text": "*Author*\nunhappy_customer"},
            {"type": "mrkdwn", "text": "*Reach*\n1,234 points · 56 comments"},
            {
                "type": "mrkdwn",
                "text": "*Published*\n2026-11-20 14:05 UTC "
                "(<!date^1795183500^{date_short_pretty} {time}|2026-11-20 14:05 UTC>)",
            },
        ],
    },
    {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "*Acme support is broken*\n"
            ">Waited two weeks for a refund &amp; still nothing.",
        },
    },
]
CONTEXT = {
    "type": "context",
    "elements": [{"type": "mrkdwn", "text": "case 1 · rule acme-negative · Earful"}],
}
TEXT = (
    "Negative mention of Acme on reddit-acme · r/acme (case 1): Acme support is broken"
)


@pytest.fixture
def posted(db: Factory, queue: Callable[..., int], slack: SlackServer, slack_deliverer):
    """One alert delivered to the local Slack with its button; the message's ts."""
    queue()
    policy = SendPolicy(handle_button=True)
    assert deliver_pending(db, slack_deliverer("xoxb-ok"), policy=policy).sent == 1
    [post] = slack.calls("chat.postMessage")
    return str(slack.history[channel_id(CHANNEL)][0]["ts"]), post


@pytest.fixture
def listen(db: Factory, slack: SlackServer) -> Iterator[Callable[..., HandleListener]]:
    """Start a HandleListener against the local Slack; closed when the test ends."""
    started: list[HandleListener] = []

    def make(bot: str = "xoxb-ok", app: str = APP_TOKEN) -> HandleListener:
        listener = HandleListener(
            db, bot_token=bot, app_token=app, base_url=slack.api_url, ping_interval=1
        )
        started.append(listener)
        listener.start()
        return listener

    yield make
    for listener in started:
        assert listener.close()


def handled(db: Factory) -> tuple[str | None, str]:
    with db() as session:
        mention = session.get_one(Mention, 1)
        assert mention.handled_at is not None
        return mention.handled_by, mention.handled_at.strftime("%Y-%m-%d %H:%M UTC")


def test_the_posted_alert_carries_both_buttons(posted) -> None:
    _ts, post = posted
    assert post.payload["blocks"] == [
        *HEAD,
        actions(
            OPEN_BUTTON,
            TAKE_BUTTON,
            ASSIGN_SELECT,
            DRAFT_BUTTON,
            REPLIED_BUTTON,
            HANDLE_BUTTON,
        ),
        CONTEXT,
    ]


def test_a_click_is_acked_recorded_and_the_message_rewritten(
    db: Factory, slack: SlackServer, posted, listen
) -> None:
    ts, _post = posted
    listen()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    link = slack.click(CHANNEL, ts, "open_mention", DANA)  # Slack sends these too
    sockets.wait("the link's ack", lambda: {"envelope_id": link} in sockets.acks)
    envelope = slack.click(CHANNEL, ts, "earful_handle", DANA)
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    [update] = slack.wait_answered("chat.update")
    by, when = handled(db)
    assert by == "<!channel> dana (U061F7AUR)"
    assert update.payload == {
        "channel": channel_id(CHANNEL),
        "ts": ts,
        "text": TEXT,
        "blocks": [
            *HEAD,
            actions(
                OPEN_BUTTON,
                {**ASSIGN_SELECT, "initial_user": "U061F7AUR"},
                REOPEN_BUTTON,
            ),
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": ":white_check_mark: *resolved* · owner <@U061F7AUR> "
                    f"· since {when}",
                },
            },
            CONTEXT,
        ],
    }
    assert sockets.acks == [{"envelope_id": link}, {"envelope_id": envelope}]
    assert slack.history[channel_id(CHANNEL)][0]["blocks"] == update.payload["blocks"]
    [connect] = slack.calls("apps.connections.open")
    assert connect.payload == {}  # the app token went in the Authorization header


def test_a_click_on_an_unknown_alert_or_a_bad_value_is_acked_and_logged(
    slack: SlackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = WebClient(token="xoxb-ok", base_url=slack.api_url)  # noqa: S106
    stamps = [
        client.chat_postMessage(
            channel=CHANNEL,
            text="hi",
            blocks=[{"type": "actions", "elements": [{**HANDLE_BUTTON, "value": v}]}],
        )["ts"]
        for v in ("7", "x\n<y>")
    ]
    listen = HandleListener(
        open_database(f"sqlite:///{tmp_path / 'empty.db'}"),
        bot_token="xoxb-ok",  # noqa: S106
        app_token=APP_TOKEN,
        base_url=slack.api_url,
    )
    listen.start()
    sockets = slack.socket_mode
    try:
        sockets.wait("a connection", lambda: sockets.connections)
        for ts in stamps:
            envelope = slack.click(CHANNEL, ts, "earful_handle", DANA)
            sockets.wait(
                "the ack", lambda e=envelope: {"envelope_id": e} in sockets.acks
            )
    finally:
        assert listen.close()  # waits for the clicks' work to finish
    warned = {m for _, level, m in caplog.record_tuples if level == logging.WARNING}
    assert warned == {  # in either order: each click is worked on after its ack
        "case action with a bad alert id 'x\\n<y>'; ignored",
        (
            "case change for alert 7 by <!channel> dana (U061F7AUR) failed: "
            "alert 7 not found: see `earful alerts list`"
        ),
    }
    assert not slack.calls("chat.update")


def test_after_slack_refreshes_or_drops_the_socket_the_listener_reconnects(
    db: Factory, slack: SlackServer, posted, listen
) -> None:
    ts, _post = posted
    listen()
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.opened == 1)
    sockets.refresh()
    sockets.wait("a new connection", lambda: sockets.opened == 2)
    sockets.drop()
    sockets.wait("a third connection", lambda: sockets.opened == 3)
    envelope = slack.click(CHANNEL, ts, "earful_handle", {"id": "U0G9QF9C6"})
    sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
    slack.wait_answered("chat.update")
    assert handled(db)[0] == "U0G9QF9C6"
    assert len(slack.calls("apps.connections.open")) == 3


def test_slack_down_at_start_is_retried(
    slack: SlackServer, listen, caplog: pytest.LogCaptureFixture
) -> None:
    listen(bot="xoxb-down_1")  # auth.test answers 503 once
    sockets = slack.socket_mode
    sockets.wait("a connection", lambda: sockets.connections)
    assert (
        "alerts.listen",
        logging.WARNING,
        ("Socket Mode: Slack is unavailable for now (http_503); retrying in 1 s"),
    ) in caplog.record_tuples
    assert len(slack.calls("auth.test")) == 2


@pytest.mark.parametrize(
    ("bot", "app", "error"),
    [
        (
            "xoxb-ok",
            "xapp-invalid_auth",
            (
                "Slack rejected the app-level token (invalid_auth): set "
                "SLACK_APP_TOKEN to an app-level token (xapp-…) with the "
                "connections:write scope, and turn Socket Mode on in the Slack "
                "app's settings"
            ),
        ),
        (
            "xoxb-token_revoked",
            APP_TOKEN,
            (
                "Slack rejected the bot token (token_revoked): set SLACK_BOT_TOKEN "
                "to a valid xoxb- token"
            ),
        ),
    ],
)
def test_a_rejected_token_is_named_and_the_listener_gives_up(
    slack: SlackServer, listen, caplog, bot: str, app: str, error: str
) -> None:
    listener = listen(bot=bot, app=app)
    assert listener.gave_up.wait(20)
    assert listener.error == error
    assert (
        "alerts.listen",
        logging.ERROR,
        f'Socket Mode listener stopped, the "Mark handled" button will not work: {error}',
    ) in caplog.record_tuples
    assert not slack.socket_mode.connections
    assert app not in caplog.text
    assert bot not in caplog.text


def test_a_bot_token_in_place_of_the_app_token_is_refused_at_once(db: Factory):
    with pytest.raises(SocketModeError, match="not an app-level token: set SLACK_APP"):
        HandleListener(db, bot_token="xoxb-ok", app_token="xoxb-ok")  # noqa: S106


@pytest.mark.parametrize(
    ("user", "by"),
    [
        ({"id": "U1", "name": "dana", "username": "dana.s"}, "dana (U1)"),
        ({"id": "U1", "username": "dana.s"}, "dana.s (U1)"),
        ({"name": "\x1b[31mdana\u202e\n\tsmith"}, "dana smith"),
        ({}, "someone in Slack"),
        (None, "someone in Slack"),
    ],
)
def test_who_clicked(user, by: str) -> None:
    assert clicker(user) == by


# --- earful alerts listen -------------------------------------------------


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """``earful`` swaps the root logger's handler; put the old ones back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("keep_logging")
@pytest.mark.parametrize(
    ("env", "error"),
    [
        (
            {"SLACK_APP_TOKEN": "xapp-not_authed"},
            (
                "Error: Slack rejected the app-level token (not_authed): set "
                "SLACK_APP_TOKEN to an app-level token (xapp-…) with the "
                "connections:write scope, and turn Socket Mode on in the Slack "
                "app's settings\n"
            ),
        ),
        (
            {"SLACK_APP_TOKEN": None},
            (
                "Error: set SLACK_APP_TOKEN to the Slack app's app-level token "
                "(xapp-…) to answer the Mark handled button (see docs/alerts.md)\n"
            ),
        ),
        (
            {"SLACK_BOT_TOKEN": None},
            (
                "Error: SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: the "
                "Socket Mode listener needs the bot token too\n"
            ),
        ),
    ],
)
def test_listen_command_errors(config_file: Path, env, error: str) -> None:
    environ = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": APP_TOKEN, **env}
    result = CliRunner(env=environ).invoke(
        main, ["alerts", "listen", "--config", str(config_file)]
    )
    assert result.exit_code == 1
    assert result.stderr.endswith(error)


def test_listen_command_answers_clicks_until_sigterm(
    db: Factory, slack: SlackServer, posted, config_file: Path
) -> None:
    ts, _post = posted
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": APP_TOKEN}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "earful",
            "alerts",
            "listen",
            "--config",
            str(config_file),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sockets = slack.socket_mode
        sockets.wait("a connection", lambda: sockets.connections)
        envelope = slack.click(CHANNEL, ts, "earful_handle", DANA)
        sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
        slack.wait_answered("chat.update")
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, stdout) == (
        0,
        "Listening for Mark handled clicks; Ctrl-C to stop.\nStopped.\n",
    )
    assert handled(db)[0] == "<!channel> dana (U061F7AUR)"
    assert APP_TOKEN not in stderr


@pytest.mark.usefixtures("keep_logging")
def test_a_rejected_app_token_names_the_configured_variable(config_file: Path) -> None:
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text + 'app_token_env = "ACME_SLACK_SOCKET"\n', encoding="utf-8"
    )
    environ = {"SLACK_BOT_TOKEN": "xoxb-ok", "ACME_SLACK_SOCKET": "xapp-not_authed"}
    result = CliRunner(env=environ).invoke(
        main, ["alerts", "listen", "--config", str(config_file)]
    )
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Error: Slack rejected the app-level token (not_authed): set "
        "ACME_SLACK_SOCKET to an app-level token (xapp-…) with the "
        "connections:write scope, and turn Socket Mode on in the Slack "
        "app's settings\n"
    )
    assert "SLACK_APP_TOKEN" not in result.stderr
