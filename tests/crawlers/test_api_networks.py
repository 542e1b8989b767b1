"""X, YouTube and Mastodon through ``earful run --once``: Japanese complaints alert.

Real clients (httpx, google-api-python-client, Mastodon.py) against the local
servers, SQLite, the default sentiment model and the console alert channel.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from earful.cli import main
from storage import CrawlRun, open_database
from tests.servers.mastodon import MastodonServer
from tests.servers.x import XServer
from tests.servers.youtube import YouTubeServer

pytestmark = pytest.mark.slow

CONFIG = """
database_url = "sqlite:///{db}"

[[brands]]
name = "Acme"
terms = ["acme", "アクメ"]
exclude = ["acme corp"]

[[alerts]]
name = "acme-negative"
brands = ["Acme"]
channel = "#brand-alerts"
min_negative = 0.5  # the Mastodon complaint scores 0.53 negative

[[sources]]
name = "x-acme"
type = "x"
api_url = "{x}"

[[sources]]
name = "yt-acme"
type = "youtube"
channel_id = "UCacme0000000000000000aa"
search = false
api_url = "{yt}"

[[sources]]
name = "mastodon-acme"
type = "mastodon"
instances = ["{mastodon}"]
hashtags = ["アクメ"]
search = false
"""


def test_japanese_complaints_from_each_network_alert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XServer() as x, YouTubeServer() as yt, MastodonServer() as mastodon:
        token, _ = x.scenario()
        key, _ = yt.scenario()
        instance, _ = mastodon.instance()
        for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "SLACK_APP_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("EARFUL_X_BEARER_TOKEN", token)
        monkeypatch.setenv("EARFUL_YOUTUBE_API_KEY", key)
        db = tmp_path / "earful.db"
        config = tmp_path / "earful.toml"
        config.write_text(
            CONFIG.format(db=db, x=x.url, yt=yt.endpoint, mastodon=instance),
            encoding="utf-8",
        )
        result = CliRunner().invoke(main, ["run", "--once", "--config", str(config)])
    output = result.output
    for complaint in (
        "アクメのサポート、三日待っても返事が来ない。最悪です。",  # X
        "アクメのブレンダー、二週間で壊れました。サポートも返事なし。",  # YouTube
        "アクメのブレンダーが二週間で壊れた。サポートにも繋がらない",  # Mastodon
    ):
        assert complaint in output, output
    with open_database(f"sqlite:///{db}")() as session:
        runs = {r.source: r.status for r in session.scalars(select(CrawlRun))}
    assert runs == {"x-acme": "ok", "yt-acme": "ok", "mastodon-acme": "ok"}
