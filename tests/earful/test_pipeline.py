"""End to end through the CLI: crawl real feeds, store, score with the real model, alert Slack.

Everything is real: the sample site and Slack are HTTP servers on 127.0.0.1,
Scrapy crawls in child processes, the database is SQLite or PostgreSQL, the
default sentiment model scores, and slack-sdk's WebClient posts the alerts.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from storage import Alert, AlertState, CrawlRun, Mention, SentimentResult
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.slow


def write_config(
    tmp_path: Path, site: SampleSite, slack: SlackServer, database_url: str, *extra: str
) -> Path:
    sources = [
        ("acme-news", f"{site.url}/acme/news.xml"),
        ("kitchen-feed", f"{site.url}/feeds/kitchen-rdf.rss"),
        *(
            (f"extra-{i}", url)
            for i, url in enumerate(extra)  # more sources, e.g. a broken one
        ),
    ]
    text = f"""
database_url = "{database_url}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]

[[brands]]
name = "Globex"
terms = ["globex"]
competitor = true

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.5

[slack]
base_url = "{slack.api_url}"
max_attempts = 3
retry_backoff = 0.01  # the tests rerun at once: no backoff wait
"""
    for name, url in sources:
        text += f'\n[[sources]]\nname = "{name}"\ntype = "feed"\nurl = "{url}"\n'
    path = tmp_path / "earful.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_once(path: Path, token: str | None) -> tuple[int, str]:
    env = {"SLACK_BOT_TOKEN": token, "SLACK_WEBHOOK_URL": None}
    result = CliRunner().invoke(
        main, ["run", "--once", "--config", str(path)], env=env, catch_exceptions=False
    )
    return result.exit_code, result.output


def rows(open_db, database_url, model):
    with open_db(database_url)() as s:
        return list(s.scalars(select(model).order_by(model.id)))


def test_crawl_to_slack_message_once(site, slack, database_url, tmp_path, open_db):
    path = write_config(tmp_path, site, slack, database_url)

    code, output = run_once(path, "xoxb-ok")

    assert code == 0, output
    assert "Crawled 2 sources: 3 mentions found, 3 new." in output
    assert "Scored 3 mentions with earful-default: " in output
    # The English complaint and the Japanese one (ＡＣＭＥの新製品は最悪です) alert.
    assert "2 queued, 2 delivered to Slack (bot token from SLACK_BOT_TOKEN)" in output
    assert "xoxb-ok" not in output
    mentions = rows(open_db, database_url, Mention)
    assert [m.external_id for m in mentions] == ["acme-1", "acme-2", "acme-4"]
    assert (
        mentions[0].text
        == "Terrible.\nThe Acme blender leaked & support never answered."
    )
    scores = {s.mention_id: s for s in rows(open_db, database_url, SentimentResult)}
    assert scores[mentions[0].id].label == "negative"
    assert scores[mentions[1].id].label == "positive"
    assert scores[mentions[2].id].label == "negative"
    alert, japanese = rows(open_db, database_url, Alert)
    assert (alert.mention_id, alert.state, alert.channel) == (
        mentions[0].id,
        AlertState.SENT,
        "#brand-alerts",
    )
    assert (japanese.mention_id, japanese.state) == (mentions[2].id, AlertState.SENT)
    assert alert.slack_ts
    call, japanese_call = slack.calls("chat.postMessage")
    assert "ＡＣＭＥのミキサーが二日で壊れました" in str(
        japanese_call.payload["blocks"]
    )
    assert call.payload["channel"] == "#brand-alerts"
    assert "Acme blender broke after two days" in call.payload["text"]
    assert "leaked &amp; support never answered" in str(call.payload["blocks"])
    assert call.headers.get("Authorization") is None  # the server never keeps it
    runs = rows(open_db, database_url, CrawlRun)
    assert {(r.source, r.status, r.items_new) for r in runs} == {
        ("acme-news", "ok", 3),
        ("kitchen-feed", "ok", 0),
    }

    code, output = run_once(path, "xoxb-ok")

    assert code == 0, output
    assert "0 mentions found, 0 new." in output  # a 304 for the Acme feed
    assert "Scored 0 mentions" in output
    assert "0 queued, 0 delivered" in output
    assert len(slack.calls("chat.postMessage")) == 2
    assert len(rows(open_db, database_url, Mention)) == 3
    assert len(rows(open_db, database_url, Alert)) == 2


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@pytest.mark.parametrize("token", ["xoxb-invalid_auth", "xoxb-500"])
def test_failures_are_recorded_and_nothing_is_lost(
    site, slack, sqlite_url, tmp_path, open_db, token
):
    path = write_config(tmp_path, site, slack, sqlite_url, closed_port_url())

    code, output = run_once(path, token)

    assert code == 1
    assert "Crawled 3 sources: 3 mentions found, 3 new." in output
    assert "  failed: extra-0: cannot fetch http://127.0.0.1:" in output
    assert "2 queued, 0 delivered" in output
    assert "2 pending." in output
    assert "  alert error: " in output
    first, second = rows(open_db, sqlite_url, Alert)
    assert first.state == second.state == AlertState.PENDING
    assert first.last_error == (
        "invalid_auth" if token.endswith("auth") else "http_500"
    )  # delivery stops at the first failure; the second waits untried or failed
    failed = [r for r in rows(open_db, sqlite_url, CrawlRun) if r.status == "failed"]
    assert [r.source for r in failed] == ["extra-0"]

    code, output = run_once(path, "xoxb-ok")  # Slack is back / the token is fixed

    assert "0 queued, 2 delivered" in output
    assert [a.state for a in rows(open_db, sqlite_url, Alert)] == [AlertState.SENT] * 2
    delivered = [c for c in slack.calls("chat.postMessage") if c.payload.get("channel")]
    assert len([c for c in delivered if "blender" in c.payload["text"]]) >= 1
    assert rows(open_db, sqlite_url, Alert)[0].slack_ts


def test_config_check_reports_every_problem(tmp_path):
    path = tmp_path / "earful.toml"
    path.write_text(
        '[[brands]]\nname = "Acme"\nterms = []\n\n'
        '[[sources]]\nname = "x"\ntype = "feed"\nurl = "nope"\ninterval = "soon"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: brands[0]: set terms or query\n"
        f"{path}: sources[0].interval: 'soon' is not a duration (use seconds or "
        "e.g. '30s', '15m', '1h')\n"
        f"{path}: sources[0].url: must be an http:// or https:// URL with a host, "
        "got 'nope'\n"
    )


def test_config_check_ok(tmp_path, site, slack):
    path = write_config(tmp_path, site, slack, "sqlite:///x.db")
    result = CliRunner().invoke(main, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0
    assert result.output == f"{path}: ok (2 brands, 2 sources, 1 alert rules)\n"


def test_db_upgrade(sqlite_url):
    result = CliRunner().invoke(main, ["db", "upgrade", "--database-url", sqlite_url])
    assert result.exit_code == 0
    assert result.output == f"{sqlite_url}: up to date\n"
