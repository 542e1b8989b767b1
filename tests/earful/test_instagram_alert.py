"""End to end: a Japanese complaint under the brand's Instagram post reaches Slack.

``earful run --once`` (the daemon's pipeline, once) polls the local Graph
host through the registered ``instagram`` kind, stores the comment, scores
it with the real default model and posts the alert to the local Slack with
slack-sdk. Nothing in ``earful/`` names the kind: the registry finds it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from storage import Alert, AlertState, CrawlRun, Mention
from tests.crawlers.instagram.conftest import MEDIA, TOKEN, USER_ID
from tests.servers.graph import GraphServer
from tests.servers.instagram import instagram_app
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.slow

COMPLAINT = "アクメの新作リップ、二日で剥げた。最悪"


def test_an_instagram_comment_alerts_slack_once(
    slack: SlackServer, database_url: str, tmp_path: Path, open_db
) -> None:
    with GraphServer() as graph:
        url, app = instagram_app(graph, {TOKEN: "ok"})
        comment_id = app.comment(MEDIA, COMPLAINT, username="rina_cosme")
        config = tmp_path / "earful.toml"
        config.write_text(
            f"""
database_url = "{database_url}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.5

[slack]
base_url = "{slack.api_url}"

[[sources]]
name = "ig-acme"
type = "instagram"
user_id = "{USER_ID}"
api_url = "{url}"
""",
            encoding="utf-8",
        )
        env = {
            "SLACK_BOT_TOKEN": "xoxb-ok",
            "SLACK_WEBHOOK_URL": None,
            "EARFUL_INSTAGRAM_TOKEN": TOKEN,
        }
        run = ["run", "--once", "--config", str(config)]
        first = CliRunner().invoke(main, run, env=env, catch_exceptions=False)
        second = CliRunner().invoke(main, run, env=env, catch_exceptions=False)

    assert first.exit_code == 0, first.output
    assert TOKEN not in first.output
    sessions = open_db(database_url)
    with sessions() as session:
        mention = session.scalars(
            select(Mention).where(Mention.external_id.endswith(comment_id))
        ).one()
        alert = session.scalars(
            select(Alert).where(Alert.mention_id == mention.id)
        ).one()
        runs = session.scalars(select(CrawlRun)).all()
        alerts = len(session.scalars(select(Alert)).all())
    assert (mention.source, mention.text, mention.author) == (
        "ig-acme",
        COMPLAINT,
        "@rina_cosme",
    )
    assert (alert.state, alert.channel) == (AlertState.SENT, "#brand-alerts")
    posted = [c for c in slack.calls("chat.postMessage") if COMPLAINT in str(c.payload)]
    assert len(posted) == 1
    assert posted[0].payload["channel"] == "#brand-alerts"
    assert [(r.source, r.status) for r in runs] == [("ig-acme", "ok")] * 2
    # The second run: the media's comment count is unchanged, nothing is new.
    assert second.exit_code == 0, second.output
    assert len(slack.calls("chat.postMessage")) == alerts
