"""``earful run`` with the Slack app-level token: the "Mark handled" button over Socket Mode.

The daemon runs as a subprocess against the local Slack and its Socket Mode
server; a click must be answered while the scheduler runs, SIGTERM must still
stop it in time, and a rejected app token must not stop anything else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from alerts import SendPolicy, SlackDeliverer, deliver_pending, enqueue
from earful.config import parse_config
from earful.pipeline import Pipeline
from storage.models import Mention
from tests.alerts.conftest import MODEL, NO_PACING, RULE, store_mention
from tests.earful.test_daemon import Daemon, crawl_runs, wait_for, write_config
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer, channel_id

APP_TOKEN = "xapp-1-A0KRD7HC3-9d2f64b1c7e84a05"  # noqa: S105 - the local Slack's
DEADLINE_S = 60.0


def post_alert(sessions: sessionmaker[Session], slack: SlackServer) -> str:
    """One alert in the local Slack, with its "Mark handled" button; its ts."""
    store_mention(sessions)
    with sessions() as session, session.begin():
        enqueue(session, [RULE], model_id=MODEL)
    deliverer = SlackDeliverer("xoxb-ok", base_url=slack.api_url, pacer=NO_PACING)
    policy = SendPolicy(handle_button=True)
    assert deliver_pending(sessions, deliverer, policy=policy).sent == 1
    return str(slack.history[channel_id("#brand-alerts")][0]["ts"])


def test_the_daemon_answers_the_button_and_still_stops_in_time(
    slack: SlackServer, sqlite_url: str, open_db, tmp_path: Path
) -> None:
    sessions = open_db(sqlite_url)
    ts = post_alert(sessions, slack)
    config = write_config(tmp_path / "earful.toml", sqlite_url, [], slack=slack)
    env = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": APP_TOKEN}
    daemon = Daemon(config, env=env)
    sockets = slack.socket_mode
    try:
        sockets.wait("the daemon's connection", lambda: sockets.connections, DEADLINE_S)
        user = {"id": "U061F7AUR", "username": "dana", "name": "dana"}
        envelope = slack.click("#brand-alerts", ts, "earful_handle", user)
        sockets.wait("the ack", lambda: {"envelope_id": envelope} in sockets.acks)
        [update] = slack.wait_answered("chat.update")
        code, _elapsed = daemon.stop()  # waits at most EXIT_S
    finally:
        daemon.kill()
    assert code == 0, daemon.log()
    with sessions() as session:
        assert session.get_one(Mention, 1).handled_by == "dana (U061F7AUR)"
    assert "*resolved* · owner <@U061F7AUR> · since " in str(update.payload["blocks"])
    assert 'Socket Mode connected: the "Mark handled" button works' in daemon.log()
    assert "WARNING" not in daemon.log()
    assert APP_TOKEN not in daemon.log()
    sockets.wait("the socket to close", lambda: not sockets.connections)


def test_a_rejected_app_token_is_logged_and_the_daemon_runs_on(
    site: SampleSite, slack: SlackServer, sqlite_url: str, open_db, tmp_path: Path
) -> None:
    sessions = open_db(sqlite_url)
    config = write_config(
        tmp_path / "earful.toml",
        sqlite_url,
        [("acme-news", f"{site.url}/acme/news.xml", "")],
        slack=slack,
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_APP_TOKEN": "xapp-invalid_auth"}
    daemon = Daemon(config, env=env)
    try:
        wait_for(
            lambda: "Slack rejected the app-level token (invalid_auth)" in daemon.log(),
            "the error",
            daemon,
        )
        wait_for(
            lambda: any(r.finished_at for r in crawl_runs(sessions, "acme-news")),
            "a crawl",
            daemon,
        )
        code, _elapsed = daemon.stop()
    finally:
        daemon.kill()
    assert (code, crawl_runs(sessions, "acme-news")[0].status) == (0, "ok")
    assert not slack.socket_mode.connections


@pytest.mark.parametrize(
    ("bot", "app", "button"),
    [("xoxb-ok", APP_TOKEN, True), ("xoxb-ok", "", False), ("", APP_TOKEN, False)],
)
def test_alerts_carry_the_button_only_with_both_tokens(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, bot: str, app: str, button: bool
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", bot)
    monkeypatch.setenv("SLACK_APP_TOKEN", app)
    brands = [{"name": "Acme", "terms": ["acme"]}]
    config = parse_config({"database_url": sqlite_url, "brands": brands})
    pipeline = Pipeline(config)
    try:
        assert pipeline.send_policy().handle_button is button
    finally:
        pipeline.close()
