"""The daily unit budget: counted per Pacific day, kept under, shown by status."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from crawlers.youtube import QuotaLedger, pacific_day
from earful.cli import main
from earful.config import parse_config
from earful.pipeline import Pipeline
from storage.queries import get_cursor
from tests.crawlers.conftest import ACME
from tests.crawlers.youtube.conftest import CHANNEL, NOW, MakeCollector
from tests.servers.youtube import YouTubeServer


def test_the_quota_day_is_pacific() -> None:
    # 07:59 UTC is still the previous day in Los Angeles (PST, UTC-8).
    assert pacific_day(datetime(2026, 12, 1, 7, 59, tzinfo=UTC)) == "2026-11-30"
    assert pacific_day(datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == "2026-12-01"
    ledger = QuotaLedger.load(
        {"day": "2026-11-30", "used": 900}, 1000, datetime(2026, 12, 1, 9, tzinfo=UTC)
    )
    assert ledger.used == 0  # a new day


def test_a_call_past_the_budget_is_not_made(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario()
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL, daily_budget=101)
    outcome = youtube.poll()
    assert outcome.error is None  # not a failure: the budget did its job
    assert outcome.new == 3
    assert outcome.warning is not None
    assert outcome.warning.startswith(
        "daily quota budget reached: 2 of 101 units used on "
    )
    assert "search.list needs 100" in outcome.warning
    assert "search" not in [r["resource"] for r in scenario.requests]
    with youtube.sessions() as session:
        assert get_cursor(session, "youtube")["quota"]["used"] == 2
    # A new Pacific day: the budget is there again.
    tomorrow = NOW + timedelta(days=1)
    youtube.now = lambda: tomorrow
    again = youtube.poll()
    assert again.warning is None
    assert scenario.requests[-1]["resource"] == "search"


def test_google_saying_quota_exceeded_spends_the_day(
    youtube_server: YouTubeServer, youtube_collector: MakeCollector
) -> None:
    key, scenario = youtube_server.scenario(quota=1)
    youtube = youtube_collector(key, (ACME,), channel_id=CHANNEL)
    outcome = youtube.poll()
    assert outcome.error == (
        "youtube source youtube: YouTube's daily quota is spent (HTTP 403 "
        "quotaExceeded); collection resumes after midnight Pacific Time"
    )
    with youtube.sessions() as session:
        quota = get_cursor(session, "youtube")["quota"]
    assert quota["used"] == quota["budget"] == 10_000
    after = youtube.poll()
    assert after.error is None
    assert after.warning is not None
    assert after.warning.startswith("daily quota budget reached: 10000 of 10000")
    assert len(scenario.requests) == 2


def test_status_shows_units_used_of_the_budget(
    youtube_server: YouTubeServer, tmp_path, monkeypatch
) -> None:
    key, _ = youtube_server.scenario()
    monkeypatch.setenv("EARFUL_YOUTUBE_API_KEY", key)
    db = tmp_path / "e.db"
    config = parse_config(
        {
            "database_url": f"sqlite:///{db}",
            "brands": [{"name": "Acme", "terms": ["acme", "アクメ"]}],
            "sources": [
                {
                    "name": "yt-acme",
                    "type": "youtube",
                    "channel_id": CHANNEL,
                    "daily_budget": 5000,
                    "api_url": youtube_server.endpoint,
                }
            ],
        },
        environ=False,
    )
    pipeline = Pipeline(config)
    outcome = pipeline.collect(config.sources[0])
    assert outcome.error is None
    pipeline.sessions.kw["bind"].dispose()
    result = CliRunner().invoke(main, ["status", "--database-url", f"sqlite:///{db}"])
    today = pacific_day(datetime.now(UTC))
    assert (
        f"  yt-acme: quota: 102 of 5000 units used on {today} (Pacific)"
        in result.output.splitlines()
    )
    as_json = CliRunner().invoke(
        main, ["status", "--database-url", f"sqlite:///{db}", "--format", "json"]
    )
    (source,) = json.loads(as_json.output)["sources"]
    assert source["quota"] == {
        "day": today,
        "used": 102,
        "budget": 5000,
        "unit": "units",
        "zone": "Pacific",
    }
    assert key in config.secret_values()  # masked in the logs
