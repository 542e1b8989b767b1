"""End to end: a reviewer's stars decide a rated review's verdict, and show as given.

The issue's three short, colloquial Japanese app reviews (1, 2 and 5 stars) in
schema.org markup on the local sample site, crawled by a real Scrapy crawl,
scored by the default model, stored in SQLite or PostgreSQL and alerted to the
strict local Slack with the rule a new user would write (``min_negative = 0.6``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from earful.cli import main
from storage import Alert, AlertState, Mention, SentimentResult
from tests.servers.site import SampleSite
from tests.servers.slack import SlackServer

pytestmark = pytest.mark.slow

ONE = "アクメのアプリ、ネットワークエラーとでる はいれません"
TWO = "アクメのレシピは多いけど、同期がよく止まる"
FIVE = "アクメ神アプリ。やばい、これなしじゃ生きていけないレベル"


def write_config(
    tmp_path: Path, site: SampleSite, slack: SlackServer, database_url: str
) -> Path:
    path = tmp_path / "earful.toml"
    path.write_text(
        f"""
database_url = "{database_url}"

[[brands]]
name = "Acme"
terms = ["アクメ"]

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.6

[slack]
base_url = "{slack.api_url}"
max_attempts = 3
retry_backoff = 0.01

[[sources]]
name = "acme-app-reviews"
type = "reviews"
url = "{site.url}/reviews/acme-app-ja-rated.html"
""",
        encoding="utf-8",
    )
    return path


def cli(*args: str) -> str:
    env = {"SLACK_BOT_TOKEN": "xoxb-ok", "SLACK_WEBHOOK_URL": None}
    result = CliRunner(env={**env, "COLUMNS": "160"}).invoke(
        main, list(args), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def stored(open_db, database_url):
    with open_db(database_url)() as s:
        mentions = {m.text: m for m in s.scalars(select(Mention))}
        scores = {r.mention.text: r for r in s.scalars(select(SentimentResult))}
        alerts = {a.mention.text: a for a in s.scalars(select(Alert))}
        return mentions, scores, alerts


def test_low_stars_alert_five_stars_never_and_stars_show_as_given(
    site, slack, database_url, tmp_path, open_db
):
    config = str(write_config(tmp_path, site, slack, database_url))

    output = cli("run", "--once", "--config", config)

    assert "2 queued, 2 delivered to Slack" in output
    mentions, scores, alerts = stored(open_db, database_url)
    assert {t: (m.rating, m.rating_best, m.language) for t, m in mentions.items()} == {
        ONE: (1, 5, "ja"),
        TWO: (2, 5, "ja"),
        FIVE: (5, 5, "ja"),
    }
    assert {t: (s.label, s.label_source) for t, s in scores.items()} == {
        ONE: ("negative", "stars"),
        TWO: ("negative", "stars"),
        FIVE: ("positive", "stars"),
    }
    assert sorted(alerts) == sorted([ONE, TWO])
    assert {a.state for a in alerts.values()} == {AlertState.SENT}
    posts = [str(call.payload["blocks"]) for call in slack.calls("chat.postMessage")]
    [one] = [p for p in posts if ONE in p]
    [two] = [p for p in posts if TWO in p]
    assert "*Rating*\\n★☆☆☆☆ 1/5" in one
    assert "*Rating*\\n★★☆☆☆ 2/5" in two
    assert "*Sentiment*\\nnegative (from the stars; text " in one
    assert not any(FIVE in p for p in posts)

    table = cli("mentions", "--config", config)
    assert "★☆☆☆☆ 1/5" in table
    assert "★★★★★ 5/5" in table
    newest = cli("mentions", "--config", config, "--format", "jsonl", "--limit", "1")
    record = json.loads(newest)
    assert (record["text"], record["rating"], record["rating_best"]) == (ONE, 1, 5)
    assert (record["sentiment"], record["sentiment_source"]) == ("negative", "stars")

    # Scores stored before the stars decided (the text's labels): rescore fixes them,
    # and the 5-star review still never alerts.
    with open_db(database_url)() as s, s.begin():
        s.execute(update(SentimentResult).values(label="neutral", label_source="text"))
    output = cli("sentiment", "rescore", "--since", "2026-01-01", "--config", config)
    assert ": 0 re-scored with earful-default" in output
    assert "; 3 verdicts now from the reviewers' stars." in output
    _, scores, _ = stored(open_db, database_url)
    assert scores[FIVE].label == "positive"
    cli("run", "--once", "--config", config)
    _, _, alerts = stored(open_db, database_url)
    assert sorted(alerts) == sorted([ONE, TWO])
